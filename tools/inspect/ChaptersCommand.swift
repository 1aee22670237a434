import ArgumentParser
import Book

/// The chapters in reading order, one executable per line: what the reproduce command runs.
struct ChaptersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chapters",
                                                    abstract: "List the chapters' executables in reading order.")

    @Flag(help: "Also print each chapter's title.")
    var titles = false

    func run() {
        for chapter in Chapter.allCases { print(titles ? "\(chapter.executable)\t\(chapter.heading)" : chapter.executable) }
    }
}
