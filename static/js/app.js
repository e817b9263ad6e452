/* Small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  function formatCents(total, currency) {
    // total is a BigInt number of cents: no floating point anywhere near money.
    var negative = total < 0n;
    if (negative) total = -total;
    var whole = (total / 100n).toLocaleString("en-HK");
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
      out.textContent = formatCents(unitCents * units, currency) + " for " + units.toLocaleString("en-HK") + (units === 1n ? " unit" : " units");
    }
    input.addEventListener("input", update);
    update();
  }

  function scheduleChart(canvas) {
    var source = document.getElementById("schedule-data");
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var currency = canvas.dataset.currency || "HKD";
    var money = new Intl.NumberFormat("en-HK", { style: "currency", currency: currency, maximumFractionDigits: 0 });
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: "Coupon", data: data.interest.map(Number), backgroundColor: "#0e7c86", yAxisID: "y" },
          {
            label: "Redemption (right axis)",
            data: data.principal.map(function (v) { return Number(v) || null; }),
            backgroundColor: "#c8912e",
            yAxisID: "y1"
          }
        ]
      },
      options: {
        maintainAspectRatio: false,
        scales: {
          x: { grid: { display: false } },
          y: { beginAtZero: true, ticks: { callback: function (v) { return money.format(v); } } },
          y1: { beginAtZero: true, position: "right", grid: { display: false }, ticks: { callback: function (v) { return money.format(v); } } }
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + ": " + money.format(ctx.raw); } } }
        }
      }
    });
  }

  function init() {
    document.querySelectorAll("form[data-amount-preview]").forEach(amountPreview);
    document.querySelectorAll("canvas[data-chart=schedule]").forEach(scheduleChart);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
