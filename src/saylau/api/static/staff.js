// The staff pages' shared part (entry, accounts, review): the status line, calls to the API
// with the session's CSRF token, and signing in with the #signin fieldset (#login,
// #password, #signin-button).
"use strict";

const staff = (() => {
  let csrf = null;

  function show(text) { document.getElementById("status").textContent = text; }

  // The API's answer (null for 204); its error object is thrown when the call fails.
  async function call(method, url, body) {
    const headers = {"Content-Type": "application/json"};
    if (csrf) headers["X-CSRF-Token"] = csrf;
    const answer = await fetch(url, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
    const data = answer.status === 204 ? null : await answer.json();
    if (!answer.ok) throw data.error;
    return data;
  }

  // On a click of #signin-button: open a session and run `after(session)`; once it is done
  // the sign-in fieldset is hidden and the status line shows what it returned (or the error).
  function onSignIn(after) {
    document.getElementById("signin-button").addEventListener("click", async () => {
      try {
        const session = await call("POST", "/api/session", {
          login: document.getElementById("login").value,
          password: document.getElementById("password").value,
        });
        csrf = session.csrf_token;
        const text = await after(session);
        document.getElementById("signin").hidden = true;
        show(text);
      } catch (error) { show(error.message); }
    });
  }

  return {show, call, onSignIn, signedIn: () => csrf !== null};
})();
