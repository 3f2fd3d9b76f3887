// The monitor form shows the fieldsets of the chosen kind only (data-kinds lists the kinds each serves).
// Without this script every fieldset shows, and the server ignores keys the kind does not use.
(function () {
  function apply(form) {
    var select = form.querySelector('select[name="Form.Type"]');
    if (!select) return;
    form.querySelectorAll('fieldset[data-kinds]').forEach(function (set) {
      var kinds = set.getAttribute('data-kinds').split(' ');
      set.hidden = kinds.indexOf(select.value) < 0;
    });
  }
  document.querySelectorAll('form[data-monitor-form]').forEach(function (form) {
    var select = form.querySelector('select[name="Form.Type"]');
    if (select) select.addEventListener('change', function () { apply(form); });
    apply(form);
  });
})();
