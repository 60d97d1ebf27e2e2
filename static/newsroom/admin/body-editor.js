// Newsroom's own extensions of the body editor (django-prose-editor, Tiptap). Loaded as an
// ES module by the editor, which imports its building blocks from "django-prose-editor/editor".
import { Extension, Plugin } from "django-prose-editor/editor"

// A paragraph with nothing readable in it: only spaces, &nbsp; and line breaks.
function isEmptyParagraph(element) {
  return element.tagName === "P" && !element.querySelector("img") &&
    element.textContent.replace(/[\s\u00a0]+/gu, "") === ""
}

// Pasted HTML (Google Docs, Word, web pages) arrives with empty paragraphs and loose <br>s
// between blocks that would show as blank gaps; they are removed before the editor parses
// the rest. Styles, spans and fonts need no work here: the editor's schema drops them.
export const NewsPaste = Extension.create({
  name: "NewsPaste",
  addProseMirrorPlugins() {
    return [
      new Plugin({
        props: {
          transformPastedHTML(html) {
            const doc = new DOMParser().parseFromString(html, "text/html")
            for (const paragraph of doc.body.querySelectorAll("p")) {
              if (isEmptyParagraph(paragraph)) paragraph.remove()
            }
            for (const br of doc.body.querySelectorAll("br")) {
              const parent = br.parentElement
              const inText = parent && parent.closest("p, li, h1, h2, h3, h4, h5, h6, td, blockquote")
              if (!inText) br.remove()
            }
            return doc.body.innerHTML
          },
        },
      }),
    ]
  },
})
