// The checked-in list of data sets (tools/fetch-data/sources.txt): for each, the folder the chapters read, where each
// file comes from, and what it must hash to. The format is described at the top of that file; this is its reader.
// A line it does not understand is an error naming the file and the line: a typo must never drop a hash silently.
import Plumbing

/// Where a file comes from when no mirror is given.
enum Origin: Equatable {
    /// A file of a GitHub repository at a pinned commit, served by raw.githubusercontent.com.
    case github(repository: String, commit: String, path: String)
    case url(String)
    /// No public source: only a mirror can serve it.
    case mirrorOnly

    var url: String? {
        switch self {
        case .github(let repository, let commit, let path):
            return "https://raw.githubusercontent.com/\(repository)/\(commit)/\(path)"
        case .url(let url): return url
        case .mirrorOnly: return nil
        }
    }
}

/// What a file's sha256 must be: a pinned value, or whatever was seen first (recorded in the data folder).
enum ExpectedHash: Equatable {
    case pinned(String)
    case firstSeen

    var pinned: String? { if case .pinned(let hash) = self { return hash }; return nil }
}

/// A record count that a file's format has, checked after its hash.
enum RecordCount: Equatable {
    case jsonArray(Int)     // a JSON array of N elements (KoAlpaca)
    case tsvRows(Int)       // N lines after a header line (NSMC)
    case wikiDocs(Int)      // N WikiExtractor articles, <doc …> … </doc>

    var expected: Int {
        switch self { case .jsonArray(let n), .tsvRows(let n), .wikiDocs(let n): return n }
    }

    var unit: String {
        switch self { case .jsonArray: return "records"; case .tsvRows: return "rows"; case .wikiDocs: return "articles" }
    }
}

struct ListedFile: Equatable {
    var path: String            // under the data set's folder
    var sha256: ExpectedHash
    var bytes: Int?
    var records: RecordCount?
    var origin: Origin
}

struct DataSet: Equatable {
    var folder: String          // under the data folder: what the chapters read
    var title: String
    var license: String = ""
    var attribution: String = ""
    var files: [ListedFile] = []     // the published data, every file needed
    var standIns: [ListedFile] = []  // one file each, taken in order when the published files are not found

    var listed: [ListedFile] { files + standIns }
    var publishedBytes: Int? { files.reduce(0) { total, file in file.bytes.flatMap { b in total.map { $0 + b } } } }
}

enum SourceList {
    static let defaultPath = "tools/fetch-data/sources.txt"

    static func load(_ path: String) throws -> [DataSet] {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path) } catch {
            throw RecordError(file: path, problem: "cannot read the list of data sources (\(error)); run from the repository's root, or pass --sources")
        }
        return try parse(String(decoding: bytes, as: UTF8.self), file: path)
    }

    static func parse(_ text: String, file: String) throws -> [DataSet] {
        var sets: [DataSet] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            func fail(_ problem: String) -> RecordError { RecordError(file: file, line: index + 1, problem: problem) }
            if line.hasPrefix("[") {
                guard let close = line.firstIndex(of: "]") else { throw fail("a data set header is `[folder]  title`") }
                let folder = String(line[line.index(after: line.startIndex)..<close])
                guard isRelativePath(folder) else { throw fail("\"\(folder)\" is not a relative path without `..`") }
                guard !sets.contains(where: { $0.folder == folder }) else { throw fail("data set [\(folder)] is listed twice") }
                sets.append(DataSet(folder: folder, title: String(line[line.index(after: close)...]).trimmingWhitespace()))
                continue
            }
            guard !sets.isEmpty else { throw fail("a line before the first `[folder]` header") }
            let (key, rest) = line.splitFirstWord()
            switch key {
            case "license": sets[sets.count - 1].license = rest
            case "attribution": sets[sets.count - 1].attribution = rest
            case "file", "stand-in":
                let listed = try parseFile(rest, standIn: key == "stand-in", fail: fail)
                guard !sets[sets.count - 1].listed.contains(where: { $0.path == listed.path }) else {
                    throw fail("\(listed.path) is listed twice in [\(sets[sets.count - 1].folder)]")
                }
                if key == "file" { sets[sets.count - 1].files.append(listed) } else { sets[sets.count - 1].standIns.append(listed) }
            default:
                throw fail("unknown key \"\(key)\" (expected license, attribution, file or stand-in)")
            }
        }
        for set in sets where set.files.isEmpty || set.license.isEmpty || set.attribution.isEmpty {
            throw RecordError(file: file, problem: "data set [\(set.folder)] needs a license, an attribution and at least one file")
        }
        return sets
    }

    /// `<path> <sha256 | first-seen> <bytes | -> <records | -> <source | ->`
    static func parseFile(_ text: String, standIn: Bool, fail: (String) -> RecordError) throws -> ListedFile {
        let columns = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard columns.count == 5 else {
            throw fail("expected 5 columns after the key (path, sha256, bytes, records, source), found \(columns.count)")
        }
        let path = columns[0]
        guard isRelativePath(path) else { throw fail("\"\(path)\" is not a relative path without `..`") }
        let hash: ExpectedHash
        if columns[1] == "first-seen" {
            guard !standIn else { throw fail("a stand-in needs a pinned sha256") }
            hash = .firstSeen
        } else {
            guard isSHA256(columns[1]) else { throw fail("\"\(columns[1])\" is not a sha256 (64 lowercase hex digits) or first-seen") }
            hash = .pinned(columns[1])
        }
        var bytes: Int? = nil
        if columns[2] != "-" {
            guard let value = Int(columns[2]), value >= 0 else { throw fail("\"\(columns[2])\" is not a byte count or -") }
            bytes = value
        }
        let records = try parseRecordCount(columns[3], fail: fail)
        if hash == .firstSeen && records == nil {
            throw fail("a first-seen file needs a record count: it is the only check such a file gets")
        }
        return ListedFile(path: path, sha256: hash, bytes: bytes, records: records, origin: try parseOrigin(columns[4], fail: fail))
    }

    static func parseRecordCount(_ text: String, fail: (String) -> RecordError) throws -> RecordCount? {
        if text == "-" { return nil }
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, let n = Int(parts[1]), n >= 0 else { throw fail("\"\(text)\" is not kind=N or -") }
        switch parts[0] {
        case "json-array": return .jsonArray(n)
        case "tsv-rows": return .tsvRows(n)
        case "wiki-docs": return .wikiDocs(n)
        default: throw fail("unknown record count \"\(parts[0])\" (expected json-array, tsv-rows or wiki-docs)")
        }
    }

    /// `owner/repository@commit:path`, a URL, or `-`.
    static func parseOrigin(_ text: String, fail: (String) -> RecordError) throws -> Origin {
        if text == "-" { return .mirrorOnly }
        if ["https://", "http://", "file://"].contains(where: text.hasPrefix) { return .url(text) }
        guard let at = text.firstIndex(of: "@"), let colon = text[at...].firstIndex(of: ":") else {
            throw fail("\"\(text)\" is not owner/repository@commit:path, a URL, or -")
        }
        let repository = String(text[..<at])
        let commit = String(text[text.index(after: at)..<colon])
        let path = String(text[text.index(after: colon)...])
        guard repository.split(separator: "/").count == 2, commit.count == 40, commit.allSatisfy(\.isHexDigit),
              isRelativePath(path) else {
            throw fail("\"\(text)\": expected owner/repository@<40-digit commit>:path")
        }
        return .github(repository: repository, commit: commit, path: path)
    }

    static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// A path that stays inside the folder it is joined to.
    static func isRelativePath(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.split(separator: "/", omittingEmptySubsequences: false)
            .contains { $0.isEmpty || $0 == "." || $0 == ".." }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed())
    }

    /// The first word and the rest of the line, trimmed.
    func splitFirstWord() -> (String, String) {
        guard let space = firstIndex(where: { $0 == " " || $0 == "\t" }) else { return (String(self), "") }
        return (String(self[..<space]), self[space...].trimmingWhitespace())
    }
}
