// The text rule (TextFile, the reader under every line-based loader) on arbitrary bytes, and `escaped` on what they
// decode to. Properties: a file that reads gives lines numbered 1, 2, 3, … whose text is exactly the file's bytes at
// each line's offset, each followed by LF, CRLF, or the end (with an optional CR), a leading BOM skipped and said,
// and after the last line nothing but blank lines; a file that does not read is a RecordError naming the file, a line
// and a byte that lies on that line, after which UTF-8 really breaks; `escaped` leaves nothing invisible.
import Tensor
import Plumbing

func fuzzOne(_ bytes: [UInt8]) {
    checkEscaped(String(decoding: bytes, as: UTF8.self))
    let path = scratchFile("text.txt", bytes)
    let file: TextFile
    do {
        file = try TextFile.read(path)
    } catch {
        expectNamesFile(error, path)
        guard let e = error as? RecordError, let line = e.line else { violated("no line named: \(error)") }
        guard let byte = Int(e.problem.split(separator: " ").drop(while: { $0 != "byte" }).dropFirst().first ?? "") else {
            violated("no byte named: \(e)")
        }
        if byte < 0 || byte >= bytes.count { violated("byte \(byte) outside the file: \(e)") }
        if bytes[..<byte].filter({ $0 == 0x0A }).count + 1 != line { violated("byte \(byte) is not on line \(line): \(e)") }
        let start = (bytes[..<byte].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0)
        let from = start == 0 && bytes.starts(with: TextFile.byteOrderMark) ? 3 : start
        if String(validating: bytes[from..<byte], as: UTF8.self) == nil { violated("the line breaks before byte \(byte): \(e)") }
        let end = bytes[byte...].firstIndex(of: 0x0A) ?? bytes.count
        if String(validating: bytes[byte..<end], as: UTF8.self) != nil { violated("nothing breaks at byte \(byte): \(e)") }
        return
    }
    if file.hadByteOrderMark != bytes.starts(with: TextFile.byteOrderMark) { violated("BOM flag") }
    var next = file.hadByteOrderMark ? 3 : 0
    for (i, line) in file.lines.enumerated() {
        if line.number != i + 1 || line.offset != next { violated("line \(i + 1) numbered \(line.number) at \(line.offset), expected \(next)") }
        let text = Array(line.text.utf8), end = line.offset + text.count
        if end > bytes.count || Array(bytes[line.offset..<end]) != text { violated("line \(i + 1) is not the file's bytes") }
        if text.contains(0x0A) || (text.last == 0x0D && (end == bytes.count || bytes[end] == 0x0A)) { violated("line \(i + 1) keeps its end") }
        var after = end
        if after < bytes.count && bytes[after] == 0x0D { after += 1 }
        if after < bytes.count && bytes[after] != 0x0A { violated("line \(i + 1) ends at a byte that ends no line") }
        next = after + 1
    }
    let rest = next < bytes.count ? bytes[next...] : []
    if rest.contains(where: { ![0x20, 0x09, 0x0D, 0x0A].contains($0) }) { violated("text after the last line") }
}

func checkEscaped(_ text: String) {
    let shown = escaped(text)
    for scalar in shown.unicodeScalars where scalar != " " {
        let category = scalar.properties.generalCategory
        if [.control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator, .unassigned, .privateUse, .surrogate].contains(category)
            || scalar.properties.isDefaultIgnorableCodePoint {
            violated("escaped(\(text.debugDescription)) shows U+\(String(scalar.value, radix: 16)) as it is")
        }
    }
}
