// Every page: htmx (inline actions without a page reload) with the CSRF token
// from the page's <meta name="csrf-token"> on every request it makes.
import htmx from "htmx.org";

window.htmx = htmx;

document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) event.detail.headers["X-CSRF-Token"] = meta.content;
});

// A failed inline action says so where the user is looking.
document.addEventListener("htmx:responseError", (event) => {
  const box = document.getElementById("flash");
  if (!box) return;
  let message = `The server answered ${event.detail.xhr.status}.`;
  try {
    const body = JSON.parse(event.detail.xhr.responseText);
    if (body && body.error) message = body.error.message;
  } catch (_) {
    // not JSON: keep the status line
  }
  box.textContent = message;
  box.hidden = false;
});
