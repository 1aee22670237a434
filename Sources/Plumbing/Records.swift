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
    /// A file whose top level is a JSON array of records (KoAlpaca's layout). Parse errors name the record.
    public static func readJSONArray(_ path: String) throws -> [JSON] {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path) } catch { throw RecordError(file: path, problem: "\(error)") }
        if bytes.isEmpty { throw RecordError(file: path, problem: "file is empty") }
        let document: JSON
        do { document = try JSON.parse(bytes, file: path) } catch {
            throw RecordError(file: path, record: error.record, line: error.line,
                              problem: "\(error.message) (column \(error.column), byte \(error.byteOffset))")
        }
        guard let records = document.array else { throw RecordError(file: path, problem: "top level is not a JSON array") }
        return records
    }

    /// JSON Lines: one JSON value per line; blank lines are skipped. Errors name the line.
    public static func readJSONLines(_ path: String) throws -> [JSON] { try readJSONLinesNumbered(path).map(\.value) }

    /// JSON Lines with the 1-based line number of each value (blank lines are skipped but counted).
    public static func readJSONLinesNumbered(_ path: String) throws -> [(line: Int, value: JSON)] {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path) } catch { throw RecordError(file: path, problem: "\(error)") }
        var records: [(line: Int, value: JSON)] = []
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            lineNumber += 1
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            let line = bytes[start..<end]
            if line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) {
                do { records.append((lineNumber, try JSON.parse(Array(line), file: path))) } catch {
                    throw RecordError(file: path, record: records.count, line: lineNumber,
                                      problem: "\(error.message) (column \(error.column))")
                }
            }
            start = end + 1
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
