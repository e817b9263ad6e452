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

  function init(root) {
    root.querySelectorAll("form").forEach(investorTypeFields);
    root.querySelectorAll("form[data-amount-preview]").forEach(amountPreview);
    root.querySelectorAll("form.apply").forEach(applicationForm);
    root.querySelectorAll("canvas[data-chart=schedule]").forEach(scheduleChart);
  }

  // A form with data-confirm asks before it submits (a handler here, not in the page: the CSP forbids inline code).
  // A decision form may carry one question per choice: data-confirm-approve, data-confirm-request-info ...
  function confirmText(form) {
    var data = form.dataset || {};
    var chosen = form.querySelector("input[name=decision]:checked");
    if (chosen) {
      var key = "confirm" + chosen.value.replace(/(^|_)([a-z])/g, function (m, sep, letter) { return letter.toUpperCase(); });
      if (data[key]) return data[key];
    }
    return data.confirm;
  }
  document.addEventListener("submit", function (event) {
    var message = confirmText(event.target);
    if (message && !window.confirm(message)) event.preventDefault();
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
    if (event.detail.target) event.detail.target.querySelectorAll("canvas[data-chart=schedule]").forEach(scheduleChart);
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(document); });
  else init(document);
})();
