// KoAlpaca v1.0: finding the file, reading it strictly, and checking every record.
//
// The published file is one JSON array of {instruction, input, output} (49,620 records). Nothing is dropped
// silently: a record that fails a check goes to the rejects with its index and the reason, and the summary counts it.
// A file that is not such an array (not JSON, truncated, invalid UTF-8, an object) stops the chapter with an error
// naming the file and the record, before anything is written. The file is parsed whole: 49,620 records are 13 MB.
#if canImport(Glibc)
import Glibc
#endif
import Repro
import Tensor
import Plumbing

/// A record together with its position in the file: every output of the chapter names records by this index.
struct IndexedRecord {
    var index: Int
    var record: InstructionRecord
}

struct Reject: Equatable {
    var index: Int
    var reason: String
}

struct DataError: Error, CustomStringConvertible {
    var description: String
}

// MARK: - Finding the file

enum KoAlpacaFile {
    static let fileName = "ko_alpaca_data.json"

    /// Every `ko_alpaca_data.json` below `<dataDir>/koalpaca/`, sorted by path.
    static func candidates(dataDirectory: String) -> [String] {
        var found: [String] = []
        func walk(_ directory: String) {
            guard let handle = opendir(directory) else { return }
            defer { closedir(handle) }
            var children: [String] = []
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                children.append(name)
            }
            for name in children.sorted() {
                let path = directory + "/" + name
                if FileIO.isDirectory(path) { walk(path) } else if name == fileName { found.append(path) }
            }
        }
        walk(dataDirectory + "/koalpaca")
        return found.sorted()
    }

    /// A partial copy lives in a folder whose name says so (`partial_prefix_1040`); a full copy is preferred.
    static func isPartial(_ path: String) -> Bool {
        path.split(separator: "/").dropLast().contains { $0.hasPrefix("partial") }
    }

    /// The file to use: full copies before partial ones, then the largest, then the first path. The note says which
    /// was chosen among how many, for the notebook.
    static func choose(dataDirectory: String) throws -> (path: String, note: String) {
        let paths = candidates(dataDirectory: dataDirectory)
        guard !paths.isEmpty else {
            throw DataError(description: "no \(fileName) under \(dataDirectory)/koalpaca/ (`swift run -c release fetch-data` fetches it, or run `bash scripts/reproduce.sh`)")
        }
        let ranked = try paths.map { ($0, isPartial($0), try FileIO.size($0)) }.sorted { a, b in
            if a.1 != b.1 { return !a.1 }
            if a.2 != b.2 { return a.2 > b.2 }
            return a.0 < b.0
        }
        let chosen = ranked[0]
        var note = "using \(chosen.0) (\(chosen.2) bytes, \(chosen.1 ? "a partial copy" : "a full copy"))"
        if ranked.count > 1 {
            note += "; also found: " + ranked.dropFirst().map { "\($0.0) (\($0.2) bytes)" }.joined(separator: ", ")
        }
        return (chosen.0, note)
    }
}

// MARK: - Reading and checking

struct ValidatedData {
    var file: String
    var totalRecords: Int
    var records: [IndexedRecord]          // the records that passed, in file order
    var rejects: [Reject]
    var recordsWithCarriageReturn: Int
    var duplicates: DuplicateReport
}

enum Validation {
    /// KoAlpaca's three fields, exactly: a fourth is refused rather than dropped without a word.
    static let fieldNames = ["instruction", "input", "output"]

    /// Read the whole file as a JSON array (the kit's reader: its errors name the file and the record) and check
    /// each record. Throws when the file is not an array of records at all.
    static func load(path: String) throws -> ValidatedData {
        try validate(try Records.readJSONArray(path), file: path)
    }

    static func validate(_ items: [JSON], file: String) throws -> ValidatedData {
        guard !items.isEmpty else { throw DataError(description: "\(file): the array holds no records") }
        var records: [IndexedRecord] = []
        var rejects: [Reject] = []
        var withCarriageReturn = 0
        for (index, item) in items.enumerated() {
            switch check(item) {
            case .success(let record):
                if (record.instruction + record.input + record.output).unicodeScalars.contains("\r") { withCarriageReturn += 1 }
                records.append(IndexedRecord(index: index, record: record))
            case .failure(let problem):
                rejects.append(Reject(index: index, reason: problem.description))
            }
        }
        return ValidatedData(file: file, totalRecords: items.count, records: records, rejects: rejects,
                             recordsWithCarriageReturn: withCarriageReturn, duplicates: DuplicateReport(records))
    }

    static func describe(_ value: JSON) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The checks of one record. All problems are listed, not just the first, so one look at the rejects suffices.
    static func check(_ item: JSON) -> Result<InstructionRecord, DataError> {
        guard let object = item.object else {
            return .failure(DataError(description: "the record is \(describe(item)), expected an object"))
        }
        var problems: [String] = []
        var values: [String] = []
        for name in Validation.fieldNames {
            guard let value = object[name] else { problems.append("missing field \"\(name)\""); values.append(""); continue }
            guard let text = value.string else {
                problems.append("field \"\(name)\" is \(describe(value)), expected a string"); values.append(""); continue
            }
            if let bad = firstControlCharacter(text) {
                problems.append("field \"\(name)\" holds control character \(bad)")
            }
            values.append(text)
        }
        for key in object.keys where !Validation.fieldNames.contains(key) {
            // The repaired file has exactly three fields; dropping a fourth without a word would lose data silently.
            problems.append("unexpected field \"\(key)\"")
        }
        let record = InstructionRecord(instruction: values[0], input: values[1], output: values[2])
        if object["instruction"]?.string != nil && isBlank(record.instruction) { problems.append("empty instruction") }
        if object["output"]?.string != nil && isBlank(record.output) { problems.append("empty output") }
        return problems.isEmpty ? .success(record) : .failure(DataError(description: problems.joined(separator: "; ")))
    }

    static func isBlank(_ text: String) -> Bool { text.allSatisfy { $0.isWhitespace } }

    /// Newline and tab are text. Carriage return is allowed too: a CRLF line end inside a code answer is harmless and
    /// rejecting it would throw away good records (the summary counts such records). Every other C0 control, DEL and
    /// the C1 controls (U+0080–U+009F, a sign of mis-decoded bytes) are rejected.
    static func firstControlCharacter(_ text: String) -> String? {
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            let v = scalar.value
            if v == 0x0A || v == 0x09 || v == 0x0D { continue }
            if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) {
                let hex = String(v, radix: 16, uppercase: true)
                return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + " at scalar \(offset)"
            }
        }
        return nil
    }
}

// MARK: - Duplicates

/// Records sharing (instruction, input). They are kept (the paper trained on the file as published) but counted,
/// and groups whose outputs disagree are counted apart: two answers to one question.
struct DuplicateReport {
    var groups: [[Int]]                // indices of the records in each group of two or more, in file order
    var extraCopies: Int               // records beyond the first of each group
    var groupsWithDifferentOutputs: Int

    init(_ records: [IndexedRecord]) {
        var byKey: [String: [Int]] = [:]
        var order: [String] = []
        var outputs: [Int: String] = [:]
        for item in records {
            let key = item.record.instruction + "\u{0}" + item.record.input
            if byKey[key] == nil { order.append(key) }
            byKey[key, default: []].append(item.index)
            outputs[item.index] = item.record.output
        }
        groups = order.compactMap { byKey[$0] }.filter { $0.count > 1 }
        extraCopies = groups.reduce(0) { $0 + $1.count - 1 }
        groupsWithDifferentOutputs = groups.filter { Set($0.compactMap { outputs[$0] }).count > 1 }.count
    }
}
