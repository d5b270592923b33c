// The browser's time zone, for a person who has not chosen one yet: kept in the slm_tz
// cookie (pages then show their times in it), and pre-selected in the account page's zone
// picker (marked data-browser-zone) so that saving it is one click.
(function () {
  "use strict";
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    return;
  }
  if (!/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) return;
  var cookie = "slm_tz=" + zone; // the pattern above leaves nothing to escape
  if (document.cookie.split("; ").indexOf(cookie) < 0) {
    document.cookie = cookie + "; path=/; max-age=31536000; samesite=lax";
  }
  document.addEventListener("DOMContentLoaded", function () {
    var picker = document.querySelector("select[data-browser-zone]");
    if (!picker) return;
    for (var i = 0; i < picker.options.length; i++) {
      if (picker.options[i].value === zone) {
        picker.selectedIndex = i;
        return;
      }
    }
  });
})();
