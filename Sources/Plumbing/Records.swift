import Tensor

/// A data file that could not be read, naming the file and, when known, the record (0-based) or line (1-based).
public struct RecordError: Error, CustomStringConvertible {
    public var file: String
    public var record: Int?
    public var line: Int?
    public var problem: String

    public init(file: String, record: Int? = nil, line: Int? = nil, problem: String) {
        self.file = file; self.record = record; self.line = line; self.problem = problem
    }

    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        if let record { s += ": record \(record)" }
        return s + ": " + problem
    }
}

public enum Records {
    /// A file that is one JSON document (an article, a config). JSON.parse follows TextFile's rule (a leading BOM
    /// skipped, CRLF and trailing blank lines as whitespace); an error names the line and byte, and for a top-level
    /// array the record.
    public static func readJSONDocument(_ path: String) throws -> JSON {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path) } catch { throw RecordError(file: path, problem: "\(error)") }
        if bytes.isEmpty { throw RecordError(file: path, problem: "file is empty") }
        do { return try JSON.parse(bytes, file: path) } catch {
            throw RecordError(file: path, record: error.record, line: error.line,
                              problem: "\(error.message) (column \(error.column), byte \(error.byteOffset))")
        }
    }

    /// A file whose top level is a JSON array of records (KoAlpaca's layout). Parse errors name the record.
    public static func readJSONArray(_ path: String) throws -> [JSON] {
        guard let records = try readJSONDocument(path).array else { throw RecordError(file: path, problem: "top level is not a JSON array") }
        return records
    }

    /// JSON Lines: one JSON value per line, read by TextFile's rule; blank lines are skipped. Errors name the line.
    public static func readJSONLines(_ path: String) throws -> [JSON] { try readJSONLinesNumbered(path).map(\.value) }

    /// JSON Lines with the 1-based line number of each value (blank lines are skipped but counted).
    public static func readJSONLinesNumbered(_ path: String) throws -> [(line: Int, value: JSON)] {
        var records: [(line: Int, value: JSON)] = []
        for line in try TextFile.read(path).lines where !line.isBlank {
            do { records.append((line.number, try JSON.parse(line.text, file: path))) } catch {
                throw RecordError(file: path, record: records.count, line: line.number,
                                  problem: "\(error.message) (column \(error.column), byte \(line.offset + error.byteOffset))")
            }
        }
        return records
    }

    /// One compact JSON value per line, written atomically.
    public static func jsonLines(_ records: [JSON]) -> String {
        var out = ""
        for r in records { out += r.serialized(); out += "\n" }
        return out
    }
}
