// mdBook 0.5's page template draws the sidebar toggle as a <label> carrying
// aria-label and aria-controls, which a label may not have (axe-core rules
// aria-allowed-attr and aria-prohibited-attr). The label works as a button, so it is
// given that role; assistive technology then announces it as the toggle it is.
(function () {
    var toggle = document.getElementById("mdbook-sidebar-toggle");
    if (toggle && !toggle.hasAttribute("role")) {
        toggle.setAttribute("role", "button");
        toggle.setAttribute("tabindex", "0");
        toggle.addEventListener("keydown", function (e) {
            if (e.key === "Enter" || e.key === " ") {
                e.preventDefault();
                toggle.click();
            }
        });
    }
})();
