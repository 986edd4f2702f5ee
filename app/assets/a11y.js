// Repairs of third-party widgets the pages cannot reach through their props, kept in step with
// every re-render by one MutationObserver (issue 17, finding 9):
// - dcc.Dropdown (Dash 4) puts a hidden, aria-hidden input in the Tab order (a Safari
//   workaround) in front of its real button (tabindex -1): screen readers meet an unnamed
//   hidden field. The button itself takes the Tab stop (it carries the dropdown's id, so a
//   <label for=id> names it) and the hidden input leaves the Tab order.
// - dcc.Upload's <input type=file> has no name: it takes the text of the <label for> that
//   names the upload (the element with the upload's id), else the upload's own text.
// - dbc.Tabs points aria-controls at tab panes that do not exist: the attribute goes.
(function () {
    "use strict";
    function dropdowns(root) {
        var targets = root.querySelectorAll(".dash-dropdown-focus-target");
        for (var i = 0; i < targets.length; i++) {
            var target = targets[i];
            if (target.tabIndex !== -1) { target.tabIndex = -1; }
            var button = target.nextElementSibling;
            if (button && button.tagName === "BUTTON" && !button.disabled &&
                    button.tabIndex !== 0) {
                button.tabIndex = 0;
            }
        }
    }

    function uploads(root) {
        var inputs = root.querySelectorAll("input[type=file]:not([aria-label])");
        for (var i = 0; i < inputs.length; i++) {
            var input = inputs[i];
            var owner = input.parentElement && input.parentElement.closest("[id]");
            var name = "";
            if (owner) {
                var label = document.querySelector('label[for="' + CSS.escape(owner.id) + '"]');
                name = label ? label.textContent : owner.textContent;
            }
            input.setAttribute("aria-label", (name || "Choose a file").trim());
        }
    }

    function tabs(root) {
        var links = root.querySelectorAll("[role=tab][aria-controls]");
        for (var i = 0; i < links.length; i++) {
            if (!document.getElementById(links[i].getAttribute("aria-controls"))) {
                links[i].removeAttribute("aria-controls");
            }
        }
    }

    function repair() {
        dropdowns(document);
        uploads(document);
        tabs(document);
    }

    function start() {
        repair();
        // a microtask after each batch of changes; what it changes itself is already right then
        new MutationObserver(repair).observe(document.body, {
            childList: true,
            subtree: true,
            attributes: true,
            attributeFilter: ["tabindex", "aria-controls"],
        });
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
