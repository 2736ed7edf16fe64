// EdgeFence dashboard: formats numbers, money and times in the viewer's locale and zone (Intl), and refreshes the
// page's main part every few seconds from a JSON fragment of the same URL, without a full page load.
(function () {
  "use strict";
  const numbers = new Intl.NumberFormat();
  const times = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

  function format(root) {
    root.querySelectorAll("[data-num]").forEach(function (el) { el.textContent = numbers.format(Number(el.dataset.num)); });
    root.querySelectorAll("[data-micros]").forEach(function (el) {
      const amount = Number(el.dataset.micros) / 1e6;
      try {
        el.textContent = new Intl.NumberFormat(undefined, { style: "currency", currency: el.dataset.currency, maximumFractionDigits: 6 }).format(amount);
      } catch (e) {
        el.textContent = numbers.format(amount) + " " + el.dataset.currency;
      }
    });
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      el.title = el.getAttribute("datetime");
      el.textContent = times.format(new Date(el.getAttribute("datetime")));
    });
    document.documentElement.dataset.formatted = "1";
  }

  function refresh(main, seconds) {
    setTimeout(function () {
      fetch(location.pathname + location.search, { headers: { "X-Dashboard-Fragment": "1" }, credentials: "same-origin" })
        .then(function (r) {
          if (r.status === 401) { location.href = "/dashboard/login"; return null; }
          return r.ok ? r.json() : null;
        })
        .then(function (body) {
          if (body && typeof body.html === "string") {
            main.innerHTML = body.html;
            format(main);
            main.dataset.refreshed = String((Number(main.dataset.refreshed) || 0) + 1);
          }
        })
        .catch(function () { /* the next tick tries again */ })
        .finally(function () { refresh(main, seconds); });
    }, seconds * 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    format(document);
    const main = document.querySelector("main");
    const seconds = main ? Number(main.dataset.refresh) : 0;
    if (main && seconds > 0) { refresh(main, seconds); }
  });
})();
