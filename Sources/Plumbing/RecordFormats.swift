// Typed records in the two line formats the book's files use: JSON Lines (one object per line) and CSV with a header.
//
// A type that conforms says once how it is written and read, and both directions use that one definition: a file
// cannot be written in one layout and read in another. Reading names the file and the line of any problem, and a CSV
// whose header is not exactly the type's columns is refused (a renamed or reordered column fails loudly instead of
// being read as the wrong number).

/// A record of a JSON Lines file.
public protocol JSONRecord {
    var json: JSON { get }
    /// Throws a `String` saying what is wrong with this one record (the reader adds the file and line).
    init(json: JSON) throws(RecordProblem)
}

/// What is wrong with one record, in words; the reader says where.
public struct RecordProblem: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension JSON {
    /// The string at `key`, or a problem naming the key.
    public func string(_ key: String) throws(RecordProblem) -> String {
        guard let s = self[key]?.string else { throw RecordProblem("expected a string \"\(key)\"") }
        return s
    }

    /// The exact integer at `key`, or a problem naming the key.
    public func int(_ key: String) throws(RecordProblem) -> Int {
        guard let i = self[key]?.int else { throw RecordProblem("expected an integer \"\(key)\", found \(self[key]?.serialized() ?? "nothing")") }
        return i
    }

    /// The number at `key`, or a problem naming the key.
    public func double(_ key: String) throws(RecordProblem) -> Double {
        guard let d = self[key]?.double else { throw RecordProblem("expected a number \"\(key)\", found \(self[key]?.serialized() ?? "nothing")") }
        return d
    }

    /// The array of integers at `key`.
    public func ints(_ key: String) throws(RecordProblem) -> [Int] {
        guard let array = self[key]?.array else { throw RecordProblem("missing array \"\(key)\"") }
        var out: [Int] = []
        out.reserveCapacity(array.count)
        for value in array {
            guard let v = value.int else { throw RecordProblem("\"\(key)\" holds \(value.serialized()), not an integer") }
            out.append(v)
        }
        return out
    }
}

extension Records {
    /// Every line of a JSON Lines file as a `T`; a line that is not one names the file and the line.
    public static func read<T: JSONRecord>(_ type: T.Type, jsonLines path: String) throws -> [T] {
        var records: [T] = []
        for (index, line) in try readJSONLinesNumbered(path).enumerated() {
            do { records.append(try T(json: line.value)) } catch {
                throw RecordError(file: path, record: index, line: line.line, problem: error.description)
            }
        }
        return records
    }

    /// The JSON Lines text of `records`, one compact object per line.
    public static func jsonLines<T: JSONRecord>(_ records: [T]) -> String { jsonLines(records.map(\.json)) }
}

/// A row of a CSV file with a header line. Values never contain commas or quotes (numbers and ids), so a row is
/// the fields joined by commas.
public protocol CSVRow {
    static var columns: [String] { get }
    var fields: [String] { get }
    init(fields: [Substring]) throws(RecordProblem)
}

public enum CSV {
    public static func text<T: CSVRow>(_ rows: [T]) -> String {
        T.columns.joined(separator: ",") + "\n" + rows.map { $0.fields.joined(separator: ",") + "\n" }.joined()
    }

    /// The rows of a CSV file, read by TextFile's rule; the header must be exactly the type's columns.
    public static func read<T: CSVRow>(_ type: T.Type, from path: String) throws -> [T] {
        let lines = try TextFile.read(path).lines
        let expected = T.columns.joined(separator: ",")
        guard let header = lines.first else { throw RecordError(file: path, line: 1, problem: "empty file, expected the header \(expected)") }
        guard header.text == expected else {
            throw RecordError(file: path, line: 1, problem: "header is \"\(escaped(header.text))\", expected \"\(expected)\"")
        }
        return try lines.dropFirst().map { line in
            let fields = line.text.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == T.columns.count else {
                throw RecordError(file: path, line: line.number, problem: "\(fields.count) fields, expected \(T.columns.count) (\(expected))")
            }
            do { return try T(fields: fields) } catch {
                throw RecordError(file: path, line: line.number, problem: "\(error)")
            }
        }
    }

    /// One field as a number of type `T`, or a problem naming the column.
    public static func number<T: LosslessStringConvertible>(_ fields: [Substring], _ column: Int, of columns: [String]) throws(RecordProblem) -> T {
        guard let v = T(String(fields[column])) else {
            throw RecordProblem("\(columns[column]) \"\(escaped(fields[column]))\" is not a \(T.self)")
        }
        return v
    }
}
