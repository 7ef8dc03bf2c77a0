/* Upload progress for forms marked data-progress="<id of a hidden .progress block>".
 * Progressive enhancement: without JavaScript the form posts as usual. With it, the same
 * request is sent by XMLHttpRequest so the progress bar can move; the server's answer (a
 * redirect to the updated page, or the page with errors) then replaces the current page. */
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-progress]");
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) { return; }
      var block = document.getElementById(form.getAttribute("data-progress"));
      if (!block) { return; }
      event.preventDefault();
      var bar = block.querySelector("progress");
      var text = block.querySelector(".progress-text");
      var button = form.querySelector("button[type=submit]");
      var xhr = new XMLHttpRequest();
      block.hidden = false;
      if (button) { button.disabled = true; }
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) { return; }
        var percent = Math.round((e.loaded / e.total) * 100);
        bar.value = percent;
        text.textContent = percent + "%";
      });
      xhr.addEventListener("load", function () {
        if (xhr.status < 400 && xhr.responseURL) {
          window.location.assign(xhr.responseURL);
          return;
        }
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener("error", function () {
        if (button) { button.disabled = false; }
        block.hidden = true;
        form.submit();
      });
      xhr.open("POST", form.action || window.location.href);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.send(new FormData(form));
    });
  });
})();
