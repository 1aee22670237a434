// What one chapter hands the next: a declared artifact, a typed handle to a file (or folder) in the writing chapter's
// folder. The type says how the file is written and read, so the writer and the readers cannot disagree about its
// layout, and every read goes through the writing chapter's manifest (see ChapterRun.read): a missing, unfinished or
// changed artifact is an error that says which chapter to run.
import Plumbing

/// A file or folder that `chapter` writes at `path` (relative to its folder) for later chapters to read.
public struct Artifact<Content: ArtifactContent>: Sendable {
    public let chapter: Chapter
    public let path: String

    public init(_ chapter: Chapter, _ path: String) { self.chapter = chapter; self.path = path }

    /// The files the manifest lists for this artifact, relative to the chapter's folder.
    public var files: [String] { Content.members.map { $0.isEmpty ? path : path + "/" + $0 } }
}

/// A kind of artifact that can be read back.
public protocol ArtifactContent {
    /// The files that make up one artifact, relative to its path: `[""]` (the default) for a single file, the member
    /// files for a folder.
    static var members: [String] { get }
    static func read(from path: String) throws -> Self
}

/// A kind of artifact that a chapter writes in one piece (atomically, through `ChapterRun.write`).
public protocol WritableArtifact: ArtifactContent {
    /// The file's bytes, exactly: the same content always gives the same bytes.
    var bytes: [UInt8] { get }
}

extension ArtifactContent {
    public static var members: [String] { [""] }
}

// MARK: - The file formats of the book's artifacts

/// A JSON Lines file of records.
public struct JSONLines<Record: JSONRecord>: WritableArtifact {
    public var records: [Record]
    public init(_ records: [Record]) { self.records = records }
    public static func read(from path: String) throws -> Self { Self(try Records.read(Record.self, jsonLines: path)) }
    public var bytes: [UInt8] { Array(Records.jsonLines(records).utf8) }
}

/// A CSV file with a header.
public struct CSVTable<Row: CSVRow>: WritableArtifact {
    public var rows: [Row]
    public init(_ rows: [Row]) { self.rows = rows }
    public static func read(from path: String) throws -> Self { Self(try CSV.read(Row.self, from: path)) }
    public var bytes: [UInt8] { Array(CSV.text(rows).utf8) }
}

/// A value stored as one pretty-printed JSON document.
public protocol JSONDocument: WritableArtifact {
    var json: JSON { get }
    init(json: JSON, file: String) throws
}

extension JSONDocument {
    public static func read(from path: String) throws -> Self {
        try Self(json: try JSON.parse(try FileIO.read(path), file: path), file: path)
    }
    public var bytes: [UInt8] { Array((json.serialized(pretty: true) + "\n").utf8) }
}
