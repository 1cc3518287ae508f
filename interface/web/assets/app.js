// Clicking an inline citation marker [n] opens its evidence card and scrolls to it.
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a.cp-cite");
  if (!link) return;
  const id = (link.getAttribute("href") || "").replace(/^#/, "");
  const card = id && document.getElementById(id);
  if (!card) return;
  event.preventDefault();
  event.stopPropagation();
  card.open = true;
  card.scrollIntoView({ behavior: "smooth", block: "center" });
  card.classList.add("cp-flash");
  setTimeout(() => card.classList.remove("cp-flash"), 1200);
}, true);
