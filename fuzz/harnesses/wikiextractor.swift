// A WikiExtractor output file of arbitrary bytes (`kowiki/AA/wiki_00`) through the reader (WikiExtractor.read on
// its folder), then every article it yields through the cleaner (WikiCleaner) and the real-word splitter (Eojeol).
// Properties: a thrown error is a CorpusError naming the file, with a line inside the file, and a byte exactly where
// UTF-8 first fails (on that line) when the problem is UTF-8; no line only when the whole file is at fault (empty,
// no article). A file that reads is valid UTF-8, its articles start at increasing lines on "<doc" lines, and written
// back (attributes escaped again) it reads back to the same articles. Cleaning loses no article (kept + dropped =
// read), keeps only texts of at least the minimum length with no empty line, no space at a line's edge, no double
// space, no `formula_N` and no `()`; the report's sizes are the kept texts' own.
import Repro
import Tensor
import Plumbing

let corpusFolder: String = {
    let folder = scratchDirectory + "/kowiki"
    do { try FileIO.makeDirectories(folder + "/AA") } catch { violated("cannot create \(folder)/AA") }
    return folder
}()

func fuzzOne(_ bytes: [UInt8]) {
    _ = corpusFolder                                                   // made before the first write
    let path = scratchFile("kowiki/AA/wiki_00", bytes)
    let articles: [WikiArticle]
    do {
        articles = try WikiExtractor.read(directory: corpusFolder)
    } catch {
        checkError(error, path: path, bytes: bytes)
        return
    }
    guard String(validating: bytes, as: UTF8.self) != nil else { violated("invalid UTF-8 was read") }
    checkArticles(articles, path: path, bytes: bytes)
    checkCleaning(articles)
}

func checkError(_ error: Error, path: String, bytes: [UInt8]) {
    expectNamesFile(error, path)
    guard let e = error as? CorpusError else { violated("not a CorpusError: \(error)") }
    if e.problem.isEmpty { violated("empty problem") }
    guard let line = e.line else {
        if !(e.problem.contains("empty") || e.problem.contains("no <doc>")) {
            violated("an error about part of the file names no line: \(e)")
        }
        return
    }
    if line < 1 || line > lineCount(bytes) { violated("line \(line) outside the file's \(lineCount(bytes)) lines: \(e)") }
    if let byte = e.byte {
        if byte >= bytes.count { violated("byte \(byte) past the end (\(bytes.count))") }
        if String(validating: bytes[..<byte], as: UTF8.self) == nil { violated("the bytes before \(byte) are not valid UTF-8") }
        // No sequence of 1 to 4 bytes starting at `byte` is valid: that is where UTF-8 first fails.
        for k in 1...4 where String(validating: bytes[..<min(bytes.count, byte + k)], as: UTF8.self) != nil {
            violated("the UTF-8 at byte \(byte) is valid for \(k) bytes")
        }
        if 1 + bytes[..<byte].filter({ $0 == 0x0A }).count != line { violated("byte \(byte) is not on line \(line)") }
    } else if e.problem.contains("UTF-8") {
        violated("a UTF-8 error without its byte: \(e)")
    }
}

/// Lines of the file: a last line without a newline counts, the empty end after a final newline does not.
func lineCount(_ bytes: [UInt8]) -> Int {
    bytes.filter { $0 == 0x0A }.count + (bytes.last.map { $0 == 0x0A ? 0 : 1 } ?? 0)
}

func checkArticles(_ articles: [WikiArticle], path: String, bytes: [UInt8]) {
    if articles.isEmpty { violated("a file read with no article") }
    let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
    var previous = 0
    for a in articles {
        if a.file != path { violated("article \(a.id) says file \(a.file)") }
        if a.line <= previous { violated("article lines not increasing: \(a.line) after \(previous)") }
        previous = a.line
        if !lines[a.line - 1].starts(with: Array("<doc".utf8)) { violated("line \(a.line) is no <doc> tag") }
        if a.id.isEmpty || a.title.isEmpty { violated("empty id or title at line \(a.line)") }
        if !a.text.isEmpty && a.text.utf8.last != 0x0A { violated("text of line \(a.line) does not end its last line") }
    }
    // Written back, the same articles (the lines may move: blank lines outside articles are not written).
    var written = ""
    for a in articles {
        written += "<doc id=\"\(escape(a.id))\" url=\"\(escape(a.url))\" title=\"\(escape(a.title))\">\n" + a.text + "</doc>\n"
    }
    let again: [WikiArticle]
    do { again = try WikiExtractor.parse(Array(written.utf8), file: path) } catch { violated("written back, it does not read: \(error)") }
    let fields = { (a: WikiArticle) in [a.id, a.url, a.title, a.text] }
    if again.map(fields) != articles.map(fields) { violated("written back, it reads differently") }
}

/// The escaping WikiExtractor applies to attribute values.
func escape(_ value: String) -> String {
    value.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
        .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
}

func checkCleaning(_ articles: [WikiArticle]) {
    let minimum = 8
    let cleaned = WikiCleaner(minimumCharacters: minimum).clean(articles)
    let report = cleaned.report
    if report.articlesRead != articles.count || report.articlesKept + report.articlesDropped != articles.count {
        violated("articles lost: \(report.articlesKept) kept + \(report.articlesDropped) dropped of \(articles.count)")
    }
    if report.articlesKept != cleaned.articles.count { violated("the report's kept count is not the articles'") }
    var characters = 0
    for a in cleaned.articles {
        let scalars = Array(a.text.unicodeScalars)
        if scalars.count != a.characters || a.characters < minimum { violated("article \(a.id): \(a.characters) characters") }
        characters += a.characters
        for line in a.text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty || line.hasPrefix(" ") || line.hasSuffix(" ") || line.contains("  ") {
                violated("article \(a.id): an empty line or a space at an edge: \(line.debugDescription)")
            }
            if line.contains("()") { violated("article \(a.id): an empty bracket left: \(line.debugDescription)") }
            if let r = line.range(of: "formula_"), let next = line[r.upperBound...].first, next.isASCII && next.isNumber {
                violated("article \(a.id): a formula placeholder left: \(line.debugDescription)")
            }
        }
        for word in Eojeol.words(in: a.text) where word.isEmpty || word.contains(where: \.isWhitespace) {
            violated("eojeol \(word.debugDescription)")
        }
    }
    if characters != report.charactersKept { violated("characters kept \(report.charactersKept), articles hold \(characters)") }
    if report.rows.contains(where: { $0.count != CleaningReport.columns.count }) { violated("a report row of the wrong width") }
}
