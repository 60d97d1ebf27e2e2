// Newsroom's own extensions of the body editor (django-prose-editor, Tiptap). Loaded as an
// ES module by the editor, which imports its building blocks from "django-prose-editor/editor".
import { crel, Extension, gettext, Node, Plugin, updateAttrsDialog } from "django-prose-editor/editor"

// A paragraph with nothing readable in it: only spaces, &nbsp; and line breaks.
function isEmptyParagraph(element) {
  return element.tagName === "P" && !element.querySelector("img") &&
    element.textContent.replace(/[\s\u00a0]+/gu, "") === ""
}

// The declarations of a style attribute, as {property: value}.
function readStyle(text) {
  const declarations = {}
  for (const declaration of text.split(";")) {
    const colon = declaration.indexOf(":")
    if (colon > 0) {
      declarations[declaration.slice(0, colon).trim().toLowerCase()] =
        declaration.slice(colon + 1).trim().toLowerCase()
    }
  }
  return declarations
}

function wrapChildren(element, tagName) {
  const wrapper = element.ownerDocument.createElement(tagName)
  wrapper.append(...element.childNodes)
  element.append(wrapper)
}

// Of a pasted style attribute only two things carry meaning here, bold and italic: they
// become markup, and the attribute goes (Google Docs' wrapper <b style="font-weight:normal">
// is then no longer bold). Style attributes are renamed before parsing, so the browser
// never applies a pasted style, whatever the Content-Security-Policy allows.
function styleToMarkup(html) {
  // Word puts a <style> sheet on the clipboard: dropped unparsed (the policy would report it).
  const unstyled = html.replace(/<style\b[\s\S]*?<\/style\s*>/gi, "")
  const renamed = unstyled.replace(/(<[a-z][^>]*?\s)style\s*=/gi, "$1data-news-style=")
  const doc = new DOMParser().parseFromString(renamed, "text/html")
  for (const element of doc.body.querySelectorAll("[data-news-style]")) {
    const style = readStyle(element.getAttribute("data-news-style"))
    element.removeAttribute("data-news-style")
    const weight = style["font-weight"] || ""
    const isBoldTag = element.tagName === "B" || element.tagName === "STRONG"
    if (isBoldTag && /^(normal|lighter|[1-4]00)$/.test(weight)) {
      element.replaceWith(...element.childNodes)
      continue
    }
    if (!isBoldTag && /^(bold|bolder|[6-9]00)$/.test(weight)) wrapChildren(element, "strong")
    if (style["font-style"] === "italic" && !["I", "EM"].includes(element.tagName)) {
      wrapChildren(element, "em")
    }
  }
  return doc
}

// Pasted HTML (Google Docs, Word, web pages) arrives with empty paragraphs and loose <br>s
// between blocks that would show as blank gaps; they are removed before the editor parses
// the rest. Spans and fonts need no work here: the editor's schema drops them.
export const NewsPaste = Extension.create({
  name: "NewsPaste",
  addProseMirrorPlugins() {
    return [
      new Plugin({
        props: {
          transformPastedHTML(html) {
            const doc = styleToMarkup(html)
            for (const paragraph of doc.body.querySelectorAll("p")) {
              if (isEmptyParagraph(paragraph)) paragraph.remove()
            }
            // Only a link's address and title mean something here; classes, targets and
            // tracking attributes of the page it came from do not.
            for (const element of doc.body.querySelectorAll("*")) {
              for (const name of element.getAttributeNames()) {
                const kept = element.tagName === "A" ? ["href", "title"] : ["start"]
                if (!kept.includes(name)) element.removeAttribute(name)
              }
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

// Figures: an image from the media library, or an embedded post/video -------------------------

const dialogFor = (properties, title, submitText) => (editor, attrs) =>
  updateAttrsDialog(properties, { title, submitText })(editor, attrs)

// The admin's own lookup popup (the library's list, with thumbnails, search, filters and an
// "Add image" button) reports the chosen id to an input of this page, as raw-id fields do.
function pickFromLibrary(libraryUrl, summaryUrl, dialogInput) {
  let target = document.getElementById("news_body_image_choice")
  if (!target) {
    target = crel("input", { type: "hidden", id: "news_body_image_choice" })
    document.body.append(target)
  }
  window.django.jQuery(target).off("change").on("change", async () => {
    const id = target.value
    const response = await fetch(summaryUrl.replace("/0/", `/${encodeURIComponent(id)}/`), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
    if (!response.ok) return
    const image = await response.json()
    const form = dialogInput.form
    form.id.value = String(image.id)
    form.src.value = image.url
    if (!form.alt.value) form.alt.value = image.alt || ""
    if (!form.caption.value) form.caption.value = image.caption || ""
    form.querySelector(".news-image-chosen").textContent = image.title
  })
  const url = new URL(libraryUrl, window.location.href)
  url.searchParams.set("_to_field", "id")
  url.searchParams.set("_popup", "1")
  // RelatedObjectLookups.js finds the input by the window's name, less its "__1" suffix.
  window.open(url, "news_body_image_choice__1", "height=600,width=900,resizable=yes,scrollbars=yes")
}

export const NewsImage = Node.create({
  name: "newsImage",
  group: "block",
  atom: true,
  draggable: true,

  addOptions() {
    return { libraryUrl: "", summaryUrl: "" }
  },

  addAttributes() {
    return {
      id: { default: null },
      src: { default: "" },
      alt: { default: "" },
      caption: { default: "" },
    }
  },

  parseHTML() {
    return [
      {
        tag: "figure[data-image-id]",
        getAttrs: (figure) => {
          const img = figure.querySelector("img")
          const caption = figure.querySelector("figcaption")
          return {
            id: figure.getAttribute("data-image-id"),
            src: img ? img.getAttribute("src") || "" : "",
            alt: img ? img.getAttribute("alt") || "" : "",
            caption: caption ? caption.textContent : "",
          }
        },
      },
    ]
  },

  renderHTML({ node }) {
    const children = [["img", { src: node.attrs.src, alt: node.attrs.alt }]]
    if (node.attrs.caption) children.push(["figcaption", {}, node.attrs.caption])
    return ["figure", { "data-image-id": node.attrs.id }, ...children]
  },

  addCommands() {
    return {
      editNewsImage:
        () =>
        ({ editor }) => {
          const selected = editor.state.selection.node
          const current = selected && selected.type.name === this.name ? selected.attrs : {}
          const { libraryUrl, summaryUrl } = this.options
          const properties = {
            id: {
              type: "string",
              title: gettext("Image (from the media library)"),
              required: true,
              picker: {
                label: gettext("Choose or upload…"),
                handler: ({ input }) => pickFromLibrary(libraryUrl, summaryUrl, input),
              },
            },
            src: { type: "string", title: gettext("Image address (filled in by the library)") },
            alt: {
              type: "string",
              title: gettext("Alt text (required): what the image shows"),
              required: true,
            },
            caption: { type: "string", title: gettext("Caption (optional)") },
          }
          dialogFor(properties, gettext("Image"), current.id ? gettext("Update") : gettext("Insert"))(
            editor,
            current,
          ).then((attrs) => {
            if (!attrs || !/^\d+$/.test(attrs.id.trim())) return
            attrs.id = attrs.id.trim()
            editor.chain().focus().insertContent({ type: this.name, attrs }).run()
          })
          // Name the chosen image in the dialog once it is open.
          requestAnimationFrame(() => {
            const field = document.querySelector("dialog[open] input[name=id]")
            if (field && !field.form.querySelector(".news-image-chosen")) {
              field.closest(".prose-editor-dialog-field").append(
                crel("p", { className: "news-image-chosen prose-editor-help" }),
              )
            }
          })
          return true
        },
    }
  },

  addMenuItems({ menu, buttons }) {
    menu.defineItem({
      name: "newsImage",
      groups: "nodes",
      command: (editor) => editor.commands.editNewsImage(),
      button: buttons.material("image", gettext("insert image from the media library")),
    })
  },
})

export const NewsEmbed = Node.create({
  name: "newsEmbed",
  group: "block",
  atom: true,
  draggable: true,

  addOptions() {
    return { providers: [] }
  },

  addAttributes() {
    return { url: { default: "" }, caption: { default: "" } }
  },

  parseHTML() {
    return [
      {
        tag: "figure[data-embed-url]",
        getAttrs: (figure) => ({
          url: figure.getAttribute("data-embed-url"),
          caption: figure.querySelector("figcaption")?.textContent || "",
        }),
      },
    ]
  },

  renderHTML({ node }) {
    const children = node.attrs.caption ? [["figcaption", {}, node.attrs.caption]] : []
    return ["figure", { "data-embed-url": node.attrs.url }, ...children]
  },

  // In the editor too nothing loads from the provider: a labelled box with the address.
  addNodeView() {
    return ({ node }) => {
      const dom = crel("figure", { className: "news-embed", "data-embed-url": node.attrs.url }, [
        crel("p", { className: "news-embed__label", textContent: gettext("Embedded post or video") }),
        crel("p", { className: "news-embed__url", textContent: node.attrs.url }),
      ])
      if (node.attrs.caption) dom.append(crel("figcaption", { textContent: node.attrs.caption }))
      return { dom }
    }
  },

  addCommands() {
    return {
      editNewsEmbed:
        () =>
        ({ editor }) => {
          const selected = editor.state.selection.node
          const current = selected && selected.type.name === this.name ? selected.attrs : {}
          const properties = {
            url: {
              type: "string",
              format: "url",
              required: true,
              title: gettext("Address of the post or video"),
              description: ` (${this.options.providers.join(", ")})`,
            },
            caption: { type: "string", title: gettext("Caption (optional)") },
          }
          dialogFor(properties, gettext("Embed"), current.url ? gettext("Update") : gettext("Insert"))(
            editor,
            current,
          ).then((attrs) => {
            if (!attrs || !attrs.url.trim()) return
            attrs.url = attrs.url.trim()
            editor.chain().focus().insertContent({ type: this.name, attrs }).run()
          })
          return true
        },
    }
  },

  addMenuItems({ menu, buttons }) {
    menu.defineItem({
      name: "newsEmbed",
      groups: "nodes",
      command: (editor) => editor.commands.editNewsEmbed(),
      button: buttons.material("smart_display", gettext("embed a post or video")),
    })
  },
})
