// Dark mode that follows the system: Bootstrap 5.3 colours every component from the
// data-bs-theme attribute of <html>; this sets it from prefers-color-scheme now and whenever
// the system setting changes. Loaded by Dash from app/assets/ on every page (no inline script:
// the Content-Security-Policy allows this server's files only).
(function () {
    "use strict";
    var query = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
    function apply() {
        var theme = query && query.matches ? "dark" : "light";
        document.documentElement.setAttribute("data-bs-theme", theme);
    }
    apply();
    if (query) {
        if (query.addEventListener) {
            query.addEventListener("change", apply);
        } else if (query.addListener) {
            query.addListener(apply);
        }
    }
})();
