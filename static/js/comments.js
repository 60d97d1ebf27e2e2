// With JavaScript, "Reply" moves the comment form under the comment instead of reloading.
// Without it, the link's ?replytocom= address does the same job on the server.
(() => {
  "use strict";
  // A refused post comes back with an error summary: focusing it scrolls it into view and
  // has screen readers read it, which role=alert alone does not do on a freshly loaded page.
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  const wrap = document.getElementById("respond");
  if (!wrap) return;
  const form = wrap.querySelector("form");
  // The action's #respond lands a refused post on the form without JavaScript. With it, the
  // summary's focus does that, and the fragment must go: Chromium clears the focus when it
  // scrolls to a fragment whose target cannot take focus, after this script has run.
  form.setAttribute("action", form.getAttribute("action").split("#")[0]);
  // The page is the same for every reader, so caches can serve it: it carries neither the
  // CSRF token nor the signed form token. They are fetched from this site when the reader
  // starts writing, and at the latest before the form is sent.
  const csrfInput = form.querySelector("input[name=csrfmiddlewaretoken]");
  const stampInput = form.querySelector("input[name=timestamp]");
  let tokens = null;
  function fetchTokens() {
    if (csrfInput.value && stampInput.value) return Promise.resolve();
    if (!tokens) {
      tokens = fetch(form.dataset.tokens, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then((response) => {
          if (!response.ok) throw new Error(`tokens: HTTP ${response.status}`);
          return response.json();
        })
        .then((data) => {
          csrfInput.value = data.csrfmiddlewaretoken;
          stampInput.value = data.timestamp;
        })
        .catch(() => {
          // Sent without them, the post comes back as the form to send again, tokens and all.
          tokens = null;
        });
    }
    return tokens;
  }
  form.addEventListener("focusin", fetchTokens);
  form.addEventListener("submit", (event) => {
    if (csrfInput.value && stampInput.value) return;
    event.preventDefault();
    fetchTokens().then(() => form.submit());
  });
  const parentInput = form.querySelector("input[name=parent]");
  const title = document.getElementById("reply-title");
  const home = document.createComment("respond-home");
  wrap.before(home);

  // A first-time commenter starts at Name; one whose name and email were remembered
  // ("Save my name…") starts at the comment itself.
  function firstFieldToFill() {
    const required = form.querySelectorAll("input[required], textarea[required]");
    return (
      Array.from(required).find((field) => !field.value.trim()) || form.querySelector("textarea")
    );
  }

  function cancel(event) {
    if (event) event.preventDefault();
    parentInput.value = "";
    title.textContent = "Leave a comment";
    home.after(wrap);
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest(".reply-link");
    if (!link) return;
    event.preventDefault();
    parentInput.value = link.dataset.commentId;
    title.textContent = "Replying to ";
    const name = document.createElement("bdi");
    name.textContent = link.dataset.commentAuthor;
    const cancelLink = document.createElement("a");
    cancelLink.href = "#respond";
    cancelLink.id = "cancel-reply";
    cancelLink.textContent = "Cancel reply";
    cancelLink.addEventListener("click", cancel);
    const small = document.createElement("small");
    small.append(cancelLink);
    title.append(name, " ", small);
    link.closest("article").after(wrap);
    firstFieldToFill().focus();
  });

  const existingCancel = document.getElementById("cancel-reply");
  if (existingCancel) existingCancel.addEventListener("click", cancel);
})();
