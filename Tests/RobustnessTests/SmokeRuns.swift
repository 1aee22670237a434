import Foundation
import XCTest
import Repro
import Tensor
import Plumbing
import Book

/// Two complete runs of chapters 01–04 at the smoke scale with the same seed, made once per test process and shared
/// by the determinism and kill tests. Both run in the same folder (renamed after each run), because manifests record
/// absolute paths.
final class SmokeRuns {
    /// Chapter 04 trains one cell for two epochs (12 steps, checkpoints at 6 and 12) to keep the tests short; the
    /// other cells differ only in size and learning rate.
    static let training = ["--cells", "small-high", "--epochs", "2"]
    /// One BLAS thread: the matrices here are tiny and a second thread only adds waiting on a busy machine. Results
    /// are identical run to run for any fixed thread count, but differ between counts (see fuzz/GUARANTEES.md).
    static let environment = ["OPENBLAS_NUM_THREADS": "1"]

    let chapters: Chapters
    let root: String
    let first: String, second: String

    private static var made: Result<SmokeRuns, Error>?

    static func shared() throws -> SmokeRuns {
        if made == nil { made = Result { try SmokeRuns() } }
        return try made!.get()
    }

    private init() throws {
        chapters = try Chapters.locate()
        root = NSTemporaryDirectory() + "robustness-smoke-" + UUID().uuidString
        first = root + "/first"
        second = root + "/second"
        try FileIO.makeDirectories(root)
        for destination in [first, second] {
            try runAll(out: root + "/out", log: root + "/" + (destination == first ? "first" : "second"))
            guard rename(root + "/out", destination) == 0 else { throw FileError(path: destination, problem: "cannot rename") }
        }
    }

    func runAll(out: String, log: String, seed: UInt64 = 1234) throws {
        for chapter in Chapters.chapters {
            try chapters.runOrFail(chapter, Chapters.common(out: out, seed: seed) + (chapter == .training ? SmokeRuns.training : []),
                                   log: "\(log)-\(chapter.executable).log", environment: SmokeRuns.environment)
        }
    }

    /// The folders chapter 04 reads: the bases (chapter 00), the records (01) and the examples (02).
    static let beforeTraining = [Chapter.pretraining, .dataRepair, .prompting].map(\.folder)

    /// Copy chapter folders of the first run into `out`.
    func copyFirst(_ folders: [String], to out: String) throws {
        try FileIO.makeDirectories(out)
        for folder in folders { try FileManager.default.copyItem(atPath: first + "/" + folder, toPath: out + "/" + folder) }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }
}

/// What may differ between two runs with the same seed: wall-clock time, and nothing else. Each file is compared
/// after these fields are replaced by "…":
///   - `*/notebook.md`: the closing "*Wall time: … s.*" line; in chapter 04 the "wall time" and "tokens/s" columns
///   - `*/manifest.json`: "wall_seconds", and the sha256 it records for the files below that hold times
///   - `04-training/training.md`, `training.csv`: the "wall time" and "tokens/s" columns
///   - `04-training/cells/*/timing.csv`: every column but the step
enum WallTime {
    static let timedColumns: Set<String> = ["wall time", "tokens/s", "seconds", "tokens_per_second"]
    static let timedFiles = ["notebook.md", "training.md", "training.csv", "timing.csv"]

    static func masked(_ path: String, _ bytes: [UInt8]) throws -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        let name = (path as NSString).lastPathComponent
        switch name {
        case "manifest.json":
            guard case .object(var manifest) = try JSON.parse(bytes, file: path) else { return text }
            if manifest["wall_seconds"] != nil { manifest["wall_seconds"] = "…" }
            if case .object(var outputs)? = manifest["outputs"] {
                for key in outputs.keys where timedFiles.contains((key as NSString).lastPathComponent) { outputs[key] = "…" }
                manifest["outputs"] = .object(outputs)
            }
            return JSON.object(manifest).serialized(pretty: true)
        case _ where name.hasSuffix(".md"):
            return maskMarkdown(text)
        case "timing.csv", "training.csv":
            return maskCSV(text)
        default:
            return text
        }
    }

    /// Markdown: the wall-time line, and the timed columns of every table (found by their header).
    static func maskMarkdown(_ text: String) -> String {
        var masked: Set<Int> = []
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.hasPrefix("*Wall time:") { return "*Wall time: …*" }
            guard line.hasPrefix("|") else { masked = []; return String(line) }
            var cells = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            let names = cells.map { $0.trimmingCharacters(in: .whitespaces) }
            if names.contains(where: timedColumns.contains) { masked = Set(names.indices.filter { timedColumns.contains(names[$0]) }); return String(line) }
            for i in masked where i < cells.count && !cells[i].contains("---") { cells[i] = " … " }
            return cells.joined(separator: "|")
        }.joined(separator: "\n")
    }

    /// CSV with a header row: the timed columns (quoted fields may hold commas).
    static func maskCSV(_ text: String) -> String {
        let rows = text.split(separator: "\n", omittingEmptySubsequences: false).map(csvFields)
        guard let header = rows.first else { return text }
        let masked = Set(header.indices.filter { timedColumns.contains(header[$0]) })
        return rows.enumerated().map { r, fields in
            fields.enumerated().map { r > 0 && masked.contains($0.offset) ? "…" : $0.element }.joined(separator: ",")
        }.joined(separator: "\n")
    }

    static func csvFields(_ line: Substring) -> [String] {
        var fields: [String] = [], field = "", quoted = false
        for c in line {
            if c == "\"" { quoted.toggle(); field.append(c) } else if c == "," && !quoted { fields.append(field); field = "" } else { field.append(c) }
        }
        return fields + [field]
    }
}
