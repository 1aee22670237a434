// An NSMC ratings file of arbitrary bytes through the reader (NSMC.load), the seeded split into demonstrations and
// scored rows (NSMC.split), and the same bytes, read as text, as a model's answer (NSMC.parseAnswer). Properties: a
// thrown error names the file, and the line unless the whole file is at fault (empty, or no row after the header);
// a file that loads gives one row per line after the header (trailing blank lines aside: TextFile's rule), labels
// 0 or 1, line numbers 2, 3, 4, …, the same rows with or without a leading byte-order mark, and written
// back as TSV reads back the same; the split loses no row (demonstrations + scored + empty + repeats = rows), never
// scores a demonstration or its text, keeps file order, and honours the number asked for; an answer's label depends
// only on its first word.
import Repro
import Tensor
import Plumbing

func fuzzOne(_ bytes: [UInt8]) {
    checkAnswer(String(decoding: bytes, as: UTF8.self))
    let path = scratchFile("ratings_test.txt", bytes)
    let rows: [NSMCRow]
    do {
        rows = try NSMC.load(path)
    } catch {
        expectNamesFile(error, path)
        guard let e = error as? RecordError else { violated("not a RecordError: \(error)") }
        if e.problem.isEmpty { violated("empty problem") }
        if e.line == nil && contentLineCount(bytes) > 1 { violated("an error about a row that names no line: \(e)") }
        if let line = e.line, line < 1 || line > lineCount(bytes) { violated("line \(line) outside the file: \(e)") }
        return
    }
    if rows.count != contentLineCount(bytes) - 1 { violated("\(rows.count) rows from \(contentLineCount(bytes)) lines") }
    if !bytes.starts(with: [0xEF, 0xBB, 0xBF]), (try? NSMC.parse([0xEF, 0xBB, 0xBF] + bytes, file: path)) != rows {
        violated("a leading byte-order mark changed the rows")
    }
    for (i, row) in rows.enumerated() {
        if row.line != i + 2 { violated("row \(i) says line \(row.line)") }
        if row.id.isEmpty || row.label.rawValue != 0 && row.label.rawValue != 1 { violated("row \(i): id or label") }
        if (row.id + row.document).contains(where: { $0 == "\t" || $0 == "\n" }) { violated("row \(i): a tab or newline inside a field") }
    }
    var tsv = NSMC.header + "\n"
    for row in rows { tsv += "\(row.id)\t\(row.document)\t\(row.label.rawValue)\n" }
    guard let again = try? NSMC.parse(Array(tsv.utf8), file: path), again == rows else { violated("rows written back read differently") }

    let seed = UInt64(bytes.count)
    let all = NSMC.split(rows, scored: nil, seed: seed)
    checkSplit(all, rows)
    if all.demonstrations.count + all.scored.count + all.emptySkipped + all.repeatsOfDemonstrations != rows.count {
        violated("split lost rows: \(all.demonstrations.count) + \(all.scored.count) + \(all.emptySkipped) + \(all.repeatsOfDemonstrations) ≠ \(rows.count)")
    }
    let wanted = Int(bytes.last ?? 0) % 8
    let some = NSMC.split(rows, scored: wanted, seed: seed)
    checkSplit(some, rows)
    if some.demonstrations != all.demonstrations { violated("the demonstrations depend on the number scored") }
    if some.scored.count != min(wanted, all.scored.count) { violated("asked for \(wanted), scored \(some.scored.count)") }
}

/// Lines of the file: a last line without a newline counts, the empty end after a final newline does not.
func lineCount(_ bytes: [UInt8]) -> Int {
    bytes.filter { $0 == 0x0A }.count + (bytes.last.map { $0 == 0x0A ? 0 : 1 } ?? 0)
}

/// Lines of the file after a leading BOM, but the blank ones at its end (empty, or spaces and tabs, before an
/// optional CR).
func contentLineCount(_ bytes: [UInt8]) -> Int {
    let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
    var lines = body.split(separator: 0x0A, omittingEmptySubsequences: false)
    if body.last == 0x0A { lines.removeLast() }
    func isBlank(_ line: ArraySlice<UInt8>) -> Bool { line.dropLast(line.last == 0x0D ? 1 : 0).allSatisfy { $0 == 0x20 || $0 == 0x09 } }
    while let last = lines.last, isBlank(last) { lines.removeLast() }
    return lines.count
}

func checkSplit(_ split: NSMCSplit, _ rows: [NSMCRow]) {
    let byLine = Dictionary(rows.map { ($0.line, $0) }, uniquingKeysWith: { first, _ in first })
    for row in split.demonstrations + split.scored where byLine[row.line] != row { violated("a row not in the file: line \(row.line)") }
    if split.emptySkipped != rows.filter(\.isEmpty).count { violated("empty rows miscounted") }
    if (split.demonstrations + split.scored).contains(where: \.isEmpty) { violated("an empty row was kept") }
    let nonEmpty = rows.count - split.emptySkipped
    if split.demonstrations.count != min(nonEmpty, NSMC.demonstrationSliceSize(rows: nonEmpty)) { violated("slice size") }
    let lines = split.scored.map(\.line)
    if lines != lines.sorted() || Set(lines).count != lines.count { violated("scored rows not in file order") }
    let texts = Set(split.demonstrations.map(\.document))
    if split.scored.contains(where: { texts.contains($0.document) }) { violated("a demonstration's text is scored") }
}

/// The label of an answer is decided by its first word alone: whatever follows it, and whatever blank space comes
/// before it, changes nothing.
func checkAnswer(_ text: String) {
    let label = NSMC.parseAnswer(text)
    if let label, !text.contains(label.word) { violated("\(text.debugDescription) read as \(label.word)") }
    for word in SentimentLabel.allCases {
        for separator in [" ", "\n", "\t"] where NSMC.parseAnswer(word.word + separator + text) != word {
            violated("\((word.word + separator + text).debugDescription) does not read as \(word.word)")
        }
    }
    for blank in ["\n", " ", " \n", "\t\n\n "] {
        // A prefix that the text's first character would absorb (a combining mark after a space) is no blank.
        guard (blank + text).count == blank.count + text.count else { continue }
        if NSMC.parseAnswer(blank + text) != label {
            violated("\((blank + text).debugDescription) reads as \(String(describing: NSMC.parseAnswer(blank + text))), \(text.debugDescription) as \(String(describing: label))")
        }
    }
}
