// Boots the portal on whatever URL the page was loaded at. It renders into #app; a
// server-rendered page (the publishing landing page at /datasets/{pid}) that includes this
// bundle gets its #app content replaced by the live page, or, without #app, one is added.
import { render } from "preact";
import { App } from "./app";
import { installLinkInterception } from "./router";
import "./styles.css";

installLinkInterception();
let root = document.getElementById("app");
if (!root) {
  root = document.createElement("div");
  root.id = "app";
  document.body.appendChild(root);
}
root.textContent = "";
render(<App />, root);
