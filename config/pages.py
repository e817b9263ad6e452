"""One way for a page to show a list a page at a time: `page_of` here, `partials/pagination.html` in
the template. The page's queries stay two (a count and one slice) however long the list grows."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 25


class ListPage(Page):
    """A page of a list that knows how to link to its neighbours: `url` is the list page's address,
    `param` its query parameter and `query` the rest of the request's query string (the filters, and
    other lists' pages on the same page), kept by every link of the pagination partial."""

    url = ""
    param = "page"
    query = ""


class _ListPaginator(Paginator):
    def _get_page(self, *args: Any, **kwargs: Any) -> ListPage:
        return ListPage(*args, **kwargs)


def page_of(
    request: HttpRequest, rows: Any, *, size: int = PAGE_SIZE, param: str = "page", url: str = ""
) -> ListPage:
    """The page of `rows` (an ordered query set) the request asks for in `param`; a missing, bad or
    too large number gives the first or the last page rather than an error. `url` is where the
    links go: the request's own path unless named (a form's POST answer that shows the list names
    the list page, so that its links do not point at the form's action)."""
    page = _ListPaginator(rows, size).get_page(request.GET.get(param))
    assert isinstance(page, ListPage)
    rest = request.GET.copy()
    rest.pop(param, None)
    page.url = url or request.path
    page.param = param
    page.query = rest.urlencode()
    return page
