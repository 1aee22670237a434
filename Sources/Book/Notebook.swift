import Foundation

/// A chapter's narrative, tables and figures, in the order the chapter produces them. It prints to the terminal as it
/// goes (plain text) and becomes `notebook.md` in the chapter's artifact folder: a record of one run, like an executed
/// notebook, with the numbers as computed.
public final class Notebook {
    public private(set) var markdown: String = ""
    let directory: String
    let chapter: Int
    /// Sections so far; the next is numbered `chapter.(sections + 1)`.
    public private(set) var sections = 0
    /// Print to the terminal too (tests switch this off).
    public var echo = true

    init(title: String, chapter: Int, directory: String) {
        self.chapter = chapter
        self.directory = directory
        markdown = "# \(title)\n\n"
        say(title + "\n" + String(repeating: "=", count: min(title.count * 2, 80)))
    }

    func say(_ text: String) { if echo { print(text) } }

    /// A section heading (## in Markdown), numbered here in the order the sections are written, so the notebook's
    /// numbers cannot drift from the code's order.
    public func section(_ title: String) {
        sections += 1
        let heading = "\(chapter).\(sections) \(title)"
        markdown += "## \(heading)\n\n"
        say("\n" + heading + "\n" + String(repeating: "-", count: min(heading.count * 2, 80)))
    }

    /// A paragraph of narrative (Markdown allowed).
    public func text(_ paragraph: String) {
        markdown += paragraph + "\n\n"
        say(paragraph)
    }

    /// A table, inline.
    public func table(_ table: Table) {
        markdown += table.markdown + "\n"
        say("\n" + table.plainText)
    }

    /// A literal block (a prompt, a sample, a command).
    public func code(_ text: String, language: String = "") {
        markdown += "```\(language)\n\(text)\n```\n\n"
        say(text)
    }

    /// Render a figure into the chapter's folder and link it.
    public func figure(_ figure: Figure, caption: String? = nil) throws {
        let png = try figure.render(in: directory)
        markdown += "![\(figure.title)](\(png))\n\n" + (caption.map { "*\($0)*\n\n" } ?? "")
        say("figure: \(directory)/\(png)" + (caption.map { " — \($0)" } ?? ""))
    }
}
