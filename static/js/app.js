/* Small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  // Numbers and dates in the page's language (<html lang>): Hong Kong English, Hong Kong or mainland Chinese.
  var LOCALES = { "zh-hant": "zh-Hant-HK", "zh-hans": "zh-Hans-CN" };
  var LOCALE = LOCALES[(document.documentElement.lang || "").toLowerCase()] || "en-HK";

  function formatCents(total, currency) {
    // total is a BigInt number of cents: no floating point anywhere near money.
    var negative = total < 0n;
    if (negative) total = -total;
    var whole = (total / 100n).toLocaleString(LOCALE);
    var part = (total % 100n).toString().padStart(2, "0");
    var symbol = currency === "HKD" ? "HK$" : currency + " ";
    return (negative ? "-" : "") + symbol + whole + "." + part;
  }

  function amountPreview(form) {
    var input = form.querySelector("input[name=units]");
    var out = form.querySelector("[data-amount]");
    if (!input || !out) return;
    var unitCents = BigInt(form.dataset.unitCents || "0");
    var currency = form.dataset.currency || "HKD";
    var initial = out.textContent;
    function update() {
      var text = input.value.trim();
      if (!/^\d{1,12}$/.test(text) || text === "0") { out.textContent = initial; return; }
      var units = BigInt(text);
      var words = (units === 1n ? form.dataset.amountOne : form.dataset.amountMany) || "{amount} for {units} units";
      out.textContent = words.replace("{amount}", formatCents(unitCents * units, currency)).replace("{units}", units.toLocaleString(LOCALE));
    }
    input.addEventListener("input", update);
    update();
  }

  function scheduleChart(canvas) {
    // Drawn from the rows of the schedule table next to it, so the chart and the table always agree.
    // Numbers here only place bars on a chart; every amount shown as text comes from the server.
    if (typeof Chart === "undefined" || Chart.getChart(canvas)) return;
    var box = canvas.closest("[data-schedule]");
    var rows = box ? box.querySelectorAll("tbody tr[data-date]") : [];
    if (!rows.length) return;
    var labels = [], principal = [], interest = [], outstanding = [];
    rows.forEach(function (row) {
      labels.push(row.dataset.date);
      principal.push(Number(row.dataset.principal));
      interest.push(Number(row.dataset.interest));
      outstanding.push(Number(row.dataset.outstanding));
    });
    var currency = canvas.dataset.currency || "HKD";
    var money = new Intl.NumberFormat(LOCALE, { style: "currency", currency: currency, maximumFractionDigits: 0 });
    var exact = new Intl.NumberFormat(LOCALE, { style: "currency", currency: currency });
    var interestLabel = canvas.dataset.interestLabel || "Interest";
    // One axis when the payments are of the same order as the balance (a bond's redemption); otherwise the
    // balance gets its own right-hand axis so that small instalments stay visible.
    var biggestPayment = Math.max.apply(null, principal.map(function (p, i) { return p + interest[i]; }));
    var split = biggestPayment < 0.25 * Math.max.apply(null, outstanding.concat([outstanding[0] + principal[0]]));
    var month = new Intl.DateTimeFormat(LOCALE, { month: "short", year: "numeric" });
    var day = new Intl.DateTimeFormat(LOCALE, { day: "numeric", month: "short", year: "numeric" });
    function when(iso) { var p = iso.split("-"); return new Date(Number(p[0]), Number(p[1]) - 1, Number(p[2])); }
    var ticks = { callback: function (v) { return money.format(v); } };
    new Chart(canvas, {
      data: {
        labels: labels,
        datasets: [
          { type: "bar", label: canvas.dataset.principalLabel || "Principal", data: principal, backgroundColor: "#c8912e", stack: "paid", yAxisID: "y", order: 2 },
          { type: "bar", label: interestLabel, data: interest, backgroundColor: "#0e7c86", stack: "paid", yAxisID: "y", order: 2 },
          {
            type: "line", label: split ? (canvas.dataset.outstandingRightLabel || "Outstanding (right axis)") : (canvas.dataset.outstandingLabel || "Outstanding"), data: outstanding,
            borderColor: "#0a2540", backgroundColor: "#0a2540", borderWidth: 2, pointRadius: rows.length > 40 ? 0 : 2,
            yAxisID: split ? "y1" : "y", order: 1
          }
        ]
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: {
            stacked: true, grid: { display: false },
            ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 6, callback: function (v) { return month.format(when(labels[v])); } }
          },
          y: { stacked: true, beginAtZero: true, ticks: ticks },
          y1: { display: split, beginAtZero: true, position: "right", grid: { display: false }, ticks: ticks }
        },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          tooltip: {
            callbacks: {
              title: function (items) { return items.length ? day.format(when(labels[items[0].dataIndex])) : ""; },
              label: function (ctx) { return ctx.dataset.label + ": " + exact.format(ctx.raw); }
            }
          }
        }
      }
    });
  }

  var CURRENCIES = ["HKD", "CNY", "MOP", "USD"];

  function applicationForm(form) {
    // Amount fields are labelled with the chosen currency.
    var select = form.querySelector("select[name=currency]");
    if (!select) return;
    select.addEventListener("change", function () {
      form.querySelectorAll(".input-affix__prefix").forEach(function (prefix) {
        if (CURRENCIES.indexOf(prefix.textContent.trim()) !== -1) prefix.textContent = select.value;
      });
    });
  }

  // The KYC form shows the fields of the chosen investor type only (e.g. total assets for corporations).
  function investorTypeFields(form) {
    var parts = form.querySelectorAll("[data-show-for-type]");
    if (!parts.length) return;
    function update() {
      var checked = form.querySelector("input[name=investor_type]:checked");
      parts.forEach(function (part) {
        part.hidden = !checked || part.dataset.showForType.split(" ").indexOf(checked.value) === -1;
      });
    }
    form.querySelectorAll("input[name=investor_type]").forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  }

  // On a phone a table becomes one card per row (static/css/app.css, .table--cards): each cell is labelled with
  // its column's header here, so "Units held" and the rest stay readable without scrolling sideways.
  // A table marked .table--scroll keeps its columns (it scrolls inside its own box instead).
  function headerLabel(th) {
    var hidden = th.querySelector(".visually-hidden");
    var text = th.textContent.replace(/\s+/g, " ").trim();
    return hidden && hidden.textContent.trim() === text ? "" : text;
  }
  function tableCards(table) {
    if (table.classList.contains("table--scroll") || !table.tHead || !table.tHead.rows.length) return;
    var heads = table.tHead.rows[table.tHead.rows.length - 1].cells, labels = [];
    for (var h = 0; h < heads.length; h++) {
      for (var span = 0; span < heads[h].colSpan; span++) labels.push(headerLabel(heads[h]));
    }
    table.querySelectorAll("tbody tr, tfoot tr").forEach(function (row) {
      var column = 0;
      for (var c = 0; c < row.cells.length; c++) {
        var cell = row.cells[c];
        if (!cell.hasAttribute("data-label") && cell.colSpan === 1 && labels[column]) cell.setAttribute("data-label", labels[column]);
        column += cell.colSpan;
      }
    });
    table.classList.add("table--cards");
  }

  // On a phone the main navigation folds behind a Menu button (CSS shows the button below 640 px only).
  function navMenu() {
    var toggle = document.querySelector(".topbar .nav-toggle"), nav = document.querySelector(".topbar .nav");
    if (!toggle || !nav || !nav.children.length) return;
    nav.id = nav.id || "main-nav";
    toggle.setAttribute("aria-controls", nav.id);
    toggle.hidden = false;
    nav.classList.add("nav--collapsible");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("is-open", open);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("is-open")) { toggle.click(); toggle.focus(); }
    });
  }

  // A table box that scrolls sideways can be reached and scrolled with the keyboard, and says what it holds.
  function scrollableTables() {
    document.querySelectorAll(".table-wrap").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        var section = box.closest("section, .card"), heading = section && section.querySelector("h2, h3");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", heading ? heading.textContent.trim() : (document.title.split(" · ")[0] || "Table"));
      } else if (!scrolls && box.getAttribute("role") === "region") {
        ["tabindex", "role", "aria-label"].forEach(function (name) { box.removeAttribute(name); });
      }
    });
  }
  var resizing;
  window.addEventListener("resize", function () { clearTimeout(resizing); resizing = setTimeout(scrollableTables, 150); });

  function init(root) {
    root.querySelectorAll("table.table").forEach(tableCards);
    scrollableTables();
    root.querySelectorAll("form").forEach(investorTypeFields);
    root.querySelectorAll("form[data-amount-preview]").forEach(amountPreview);
    root.querySelectorAll("form.apply").forEach(applicationForm);
    root.querySelectorAll("canvas[data-chart=schedule]").forEach(scheduleChart);
  }

  // A form with data-confirm asks before it submits, in the page's own modal dialog (base.html): labelled by
  // its heading, described by the question, focus kept inside, Escape or "Go back" cancels, focus returns to
  // the button pressed. A handler here, not in the page: the CSP forbids inline code.
  // A decision form may carry one question per choice: data-confirm-approve, data-confirm-request-info ...
  // data-confirm-title names the object in the heading; data-confirm-button labels the confirming button.
  function confirmText(form) {
    var data = form.dataset || {};
    var chosen = form.querySelector("input[name=decision]:checked, select[name=decision]");
    if (chosen && chosen.value) {
      var key = "confirm" + chosen.value.replace(/(^|_)([a-z])/g, function (m, sep, letter) { return letter.toUpperCase(); });
      if (data[key]) return data[key];
    }
    return data.confirm;
  }

  var dialogOpen = false;

  function askConfirmation(form, submitter, message) {
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") return Promise.resolve(window.confirm(message));
    var title = dialog.querySelector("[data-dialog-title]");
    var text = dialog.querySelector("[data-dialog-text]");
    var yes = dialog.querySelector("[data-dialog-confirm]");
    var no = dialog.querySelector("[data-dialog-cancel]");
    var label = (submitter && submitter.textContent.trim()) || "";
    title.textContent = form.dataset.confirmTitle || dialog.dataset.defaultTitle;
    text.textContent = message;
    yes.textContent = form.dataset.confirmButton || label || dialog.dataset.defaultConfirm;
    var danger = submitter && /btn--(danger|warning)/.test(submitter.className);
    yes.className = "btn " + (danger ? "btn--danger-solid" : "btn--primary");
    var back = submitter || form.querySelector("[type=submit]") || document.activeElement;
    return new Promise(function (resolve) {
      var answer = false;
      function onKey(event) {
        // Tab and Shift+Tab cycle between the dialog's two buttons only.
        if (event.key !== "Tab") return;
        var focusables = [no, yes];
        var index = focusables.indexOf(document.activeElement);
        event.preventDefault();
        focusables[(index + (event.shiftKey ? focusables.length - 1 : 1)) % focusables.length].focus();
      }
      function finish(value) { answer = value; dialog.close(); }
      function onYes() { finish(true); }
      function onNo() { finish(false); }
      function onBackdrop(event) { if (event.target === dialog) finish(false); }
      function onClose() {
        dialog.removeEventListener("keydown", onKey);
        dialog.removeEventListener("click", onBackdrop);
        dialog.removeEventListener("close", onClose);
        yes.removeEventListener("click", onYes);
        no.removeEventListener("click", onNo);
        dialogOpen = false;
        if (back && typeof back.focus === "function") back.focus();
        resolve(answer);
      }
      dialog.addEventListener("keydown", onKey);
      dialog.addEventListener("click", onBackdrop);
      dialog.addEventListener("close", onClose);  // Escape closes a modal dialog: that is a "no"
      yes.addEventListener("click", onYes);
      no.addEventListener("click", onNo);
      dialogOpen = true;
      dialog.showModal();
      no.focus();  // the safe choice has the focus: Enter by habit does not confirm
    });
  }

  function htmxHandlesSubmit(form) {
    var verb = ["hx-post", "hx-get", "hx-put", "hx-patch", "hx-delete"].some(function (name) {
      return form.hasAttribute(name) || form.hasAttribute("data-" + name);
    });
    var trigger = form.getAttribute("hx-trigger") || form.getAttribute("data-hx-trigger");
    return verb && (!trigger || /(^|[\s,])submit\b/.test(trigger));
  }

  var confirmed = new WeakSet();
  // Capture phase: the question comes before anything else acts on the submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || htmxHandlesSubmit(form)) return;
    if (confirmed.has(form)) { confirmed.delete(form); return; }
    var message = confirmText(form);
    if (!message) return;
    event.preventDefault();
    if (dialogOpen) return;
    var submitter = event.submitter || null;
    askConfirmation(form, submitter, message).then(function (ok) {
      if (!ok) return;
      confirmed.add(form);
      if (typeof form.requestSubmit === "function") form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      else form.submit();
    });
  }, true);
  // Forms htmx posts ask through htmx's own confirmation hook, which then sends the request.
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.detail && event.detail.elt;
    var trigger = event.detail && event.detail.triggeringEvent;
    if (!(form instanceof HTMLFormElement) || !trigger || trigger.type !== "submit") return;
    var message = confirmText(form);
    if (!message) return;
    event.preventDefault();
    if (dialogOpen) return;
    askConfirmation(form, trigger.submitter || null, message).then(function (ok) {
      if (ok) event.detail.issueRequest(true);
    });
  });

  // A form marked data-swap-refusals answers a refused post (400) with itself: its field errors and what was
  // typed. htmx does not swap error answers by default, so this one is let through.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (event.detail.xhr.status === 400 && elt && elt.closest && elt.closest("[data-swap-refusals]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // Charts in content that htmx swaps in (the live preview) are drawn too; the old ones are released first.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (typeof Chart === "undefined" || !event.detail.target) return;
    event.detail.target.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var chart = Chart.getChart(canvas);
      if (chart) chart.destroy();
    });
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target) return;
    event.detail.target.querySelectorAll("canvas[data-chart=schedule]").forEach(scheduleChart);
    event.detail.target.querySelectorAll("table.table").forEach(tableCards);
  });

  // A button with data-copy="#id" copies that element's text (e.g. a token address) and says so.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) return;
    var source = document.querySelector(button.dataset.copy);
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      var label = button.textContent;
      button.textContent = button.dataset.copied || label;
      setTimeout(function () { button.textContent = label; }, 2000);
    });
  });

  // Linking a self-custody wallet (Sign-In with Ethereum) through the browser's wallet (window.ethereum):
  // ask it for the account, ask the server for the EIP-4361 message for that address, have the wallet
  // sign it (personal_sign), then submit the page's own link form with the message and the signature.
  // Without an injected wallet the box stays hidden and the page's copy-and-paste form is the way.
  function siweConnect(box) {
    var provider = window.ethereum;
    if (!provider || typeof provider.request !== "function") return;
    var form = document.querySelector("form[data-siwe-link]");
    var button = box.querySelector("[data-siwe-button]");
    var status = box.querySelector("[data-siwe-status]");
    var csrf = form ? form.querySelector("input[name=csrfmiddlewaretoken]") : null;
    if (!form || !button || !csrf) return;
    box.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      status.textContent = status.dataset.working;
      var address;
      provider.request({ method: "eth_requestAccounts" }).then(function (accounts) {
        address = accounts[0];
        return fetch(box.dataset.nonceUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf.value, "Accept": "application/json" },
          body: JSON.stringify({ address: address })
        });
      }).then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.address ? body.address[0] : body.detail);
          return body;
        });
      }).then(function (challenge) {
        form.querySelector("[name=message]").value = challenge.message;
        return provider.request({ method: "personal_sign", params: [challenge.message, address] });
      }).then(function (signature) {
        form.querySelector("[name=signature]").value = signature;
        form.submit();
      }).catch(function (error) {
        button.disabled = false;
        status.textContent = (error && error.message && !error.code) ? error.message : status.dataset.refused;
      });
    });
  }

  function start() { navMenu(); init(document); document.querySelectorAll("[data-siwe-connect]").forEach(siweConnect); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
