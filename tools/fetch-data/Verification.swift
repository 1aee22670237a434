// Checking a file against its line in the list: bytes, sha256, then the record count its format has.
//
// The hash decides; the byte and record counts are there to explain a mismatch in words a person can act on ("25 rows,
// the published file has 50,000": a fixture, a truncated download), and they are the only check a first-seen file gets.
import Plumbing

struct Measured: Equatable {
    var bytes: Int
    var sha256: String
    /// The count the list asks for, or why it could not be counted (not JSON, unbalanced <doc> tags).
    var records: Result<Int, CountError>?
}

struct CountError: Error, Equatable, CustomStringConvertible {
    var description: String
}

enum Verification {
    static func measure(_ path: String, counting kind: RecordCount?) throws -> Measured {
        let bytes = try FileIO.read(path)
        return Measured(bytes: bytes.count, sha256: SHA256.hex(bytes), records: kind.map { count(bytes, as: $0, file: path) })
    }

    static func count(_ bytes: [UInt8], as kind: RecordCount, file: String) -> Result<Int, CountError> {
        switch kind {
        case .jsonArray:
            do {
                guard let array = try JSON.parse(bytes, file: file).array else { return .failure(CountError(description: "not a JSON array")) }
                return .success(array.count)
            } catch {
                return .failure(CountError(description: "not JSON: \(error.message) (line \(error.line), column \(error.column))"))
            }
        case .tsvRows:
            let newlines = bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            let lines = newlines + (bytes.last.map { $0 == 0x0A ? 0 : 1 } ?? 0)
            return lines == 0 ? .failure(CountError(description: "empty, not even a header line")) : .success(lines - 1)
        case .wikiDocs:
            var opened = 0, closed = 0
            for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: true) {
                if line.starts(with: Array("<doc ".utf8)) { opened += 1 } else if line.elementsEqual("</doc>".utf8) { closed += 1 }
            }
            return opened == closed ? .success(opened)
                : .failure(CountError(description: "\(opened) <doc> lines but \(closed) </doc> lines (cut off?)"))
        }
    }

    /// What is wrong with a file measured as `measured`, in one phrase each; empty when it is the listed file.
    static func problems(_ listed: ListedFile, _ measured: Measured) -> [String] {
        var problems: [String] = []
        if let expected = listed.sha256.pinned, expected != measured.sha256 {
            problems.append("sha256 expected \(expected), actual \(measured.sha256)")
        }
        if let bytes = listed.bytes, bytes != measured.bytes {
            problems.append("\(Format.count(measured.bytes)) bytes, the published file has \(Format.count(bytes))")
        }
        if let kind = listed.records, let counted = measured.records {
            switch counted {
            case .success(let n) where n != kind.expected:
                problems.append("\(Format.count(n)) \(kind.unit), the published file has \(Format.count(kind.expected))")
            case .failure(let error):
                problems.append("\(error.description), the published file has \(Format.count(kind.expected)) \(kind.unit)")
            default: break
            }
        }
        return problems
    }

    /// "15,123,456 bytes, 49,620 records": what a verified file holds, for the messages.
    static func summary(_ listed: ListedFile, _ measured: Measured) -> String {
        var text = "\(Format.count(measured.bytes)) bytes"
        if let kind = listed.records, case .success(let n)? = measured.records { text += ", \(Format.count(n)) \(kind.unit)" }
        return text
    }
}
