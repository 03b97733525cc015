// What Swagger UI leaves unnamed or out of the keyboard's reach, made accessible each time
// it draws it: fields and icon buttons get a name, scrolling code examples a tab stop.
(function () {
  "use strict";
  var container = document.getElementById("swagger-ui-container");
  var UNNAMED_FIELDS = "select:not([aria-label]), textarea:not([aria-label]), " +
    "input:not([aria-label]):not([placeholder]):not([type=hidden])";
  var ICON_BUTTONS = {".close-modal": "Fermer", ".copy-to-clipboard button": "Copier"};

  function fieldName(field) {
    var row = field.closest("tr[data-param-name]");
    var scheme = field.closest(".auth-container");
    if (field.closest(".servers")) {
      return "Serveur de l'API";
    }
    if (row) {
      return "Paramètre « " + row.getAttribute("data-param-name") + " »";
    }
    if (field.closest(".body-param")) {
      return "Corps de la requête";
    }
    if (scheme && scheme.querySelector("h4 code")) {
      return "Valeur de " + scheme.querySelector("h4 code").textContent;
    }
    return "Type de contenu";
  }

  function each(selector, act) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), act);
  }

  function fix() {
    each("#swagger-ui-container " + UNNAMED_FIELDS.split(", ").join(", #swagger-ui-container "),
      function (field) { field.setAttribute("aria-label", fieldName(field)); });
    Object.keys(ICON_BUTTONS).forEach(function (selector) {
      each(selector + ":not([aria-label])", function (button) {
        button.setAttribute("aria-label", ICON_BUTTONS[selector]);
      });
    });
    each("#swagger-ui-container pre.microlight:not([tabindex])", function (example) {
      example.setAttribute("tabindex", "0");
    });
  }

  new MutationObserver(fix).observe(container, {childList: true, subtree: true});
  fix();
})();
