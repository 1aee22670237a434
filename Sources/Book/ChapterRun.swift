import Foundation
import Tensor
import Plumbing
import Repro

// Every chapter writes only under `artifacts/NN-slug/`, and finishes by writing `manifest.json`: what it read (with
// sha256), the options, what it wrote (with sha256), the wall time and the git commit. The next chapter checks the
// manifest before trusting a file, so a missing or stale artifact produces a message that says which chapter to run,
// not a confusing failure three steps later.
//
// Files are written atomically (temporary file, then rename), and the old manifest is removed before the first new
// file is written: an interrupted run leaves no manifest, so nothing half-done ever looks finished.
//
// A chapter whose previous run finished with the same program, options and inputs (by sha256) and whose outputs are
// all still there unchanged is not run again: `reuseIfFinished()` says so and the chapter returns. `--rerun` forces a
// new run.

public struct MissingArtifact: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

public final class ChapterRun {
    public let number: Int
    public let slug: String
    public let options: CommonOptions
    public let preset: Preset
    public let directory: String
    public let dataDirectory: String
    public let notebook: Notebook
    /// Options of this chapter beyond the common ones, recorded in the manifest.
    public var chapterOptions = JSONObject()

    private var inputs: [(path: String, sha256: String)] = []
    private var outputs: [String] = []
    private let started = Date()
    /// The manifest of the previous run, until this run writes its first file.
    private var previous: JSON?

    /// The folder name of chapter `number`: "01-data-repair".
    public static func folder(_ number: Int, _ slug: String) -> String { (number < 10 ? "0" : "") + "\(number)-\(slug)" }

    public init(_ number: Int, _ slug: String, title: String, options: CommonOptions) throws {
        self.number = number
        self.slug = slug
        self.options = options
        preset = options.preset
        dataDirectory = options.resolvedDataDirectory
        directory = options.outputDirectory + "/" + ChapterRun.folder(number, slug)
        try FileIO.makeDirectories(directory)
        let manifestPath = directory + "/manifest.json"
        if FileIO.exists(manifestPath) { previous = try? JSON.parse(try FileIO.read(manifestPath), file: manifestPath) }
        notebook = Notebook(title: title, directory: directory)
        notebook.text("Run at scale `\(options.scale.rawValue)` with seed \(options.seed); data from `\(dataDirectory)`; artifacts in `\(directory)`.")
    }

    public func path(_ file: String) -> String { directory + "/" + file }

    // MARK: Inputs

    /// Record a data file this chapter reads (its sha256 goes into the manifest). Returns the path.
    @discardableResult
    public func input(_ path: String) throws -> String {
        guard FileIO.exists(path) else { throw MissingArtifact(description: "\(path): not found") }
        inputs.append((path, try SHA256.hex(ofFile: path)))
        return path
    }

    /// The path of `file` written by an earlier chapter, after checking that chapter finished (its manifest lists the
    /// file) and that the file still has the hash recorded there. `root` is the artifacts folder of another run (an
    /// ablation's, say); by default this run's own `--out`.
    public func artifact(ofChapter number: Int, _ slug: String, _ file: String, root: String? = nil) throws -> String {
        let folder = (root ?? options.outputDirectory) + "/" + ChapterRun.folder(number, slug)
        let run = "swift run -c release ch\(ChapterRun.folder(number, slug)) --scale \(options.scale.rawValue)"
            + (root.map { " --out \($0)" } ?? "")
        let manifestPath = folder + "/manifest.json"
        guard FileIO.exists(manifestPath) else {
            throw MissingArtifact(description: "chapter \(number) (\(slug)) has not finished: \(manifestPath) is missing. Run `\(run)` first.")
        }
        let manifest = try JSON.parse(try FileIO.read(manifestPath), file: manifestPath)
        if let scale = manifest["options"]?["scale"]?.string, scale != options.scale.rawValue {
            throw MissingArtifact(description: "\(folder) was made at scale \(scale), this run is at \(options.scale.rawValue). Run `\(run)` first.")
        }
        guard let recorded = manifest["outputs"]?[file]?.string else {
            throw MissingArtifact(description: "\(manifestPath) does not list \(file). Run `\(run)` again.")
        }
        let path = folder + "/" + file
        guard FileIO.exists(path) else { throw MissingArtifact(description: "\(path) is missing. Run `\(run)` again.") }
        let actual = try SHA256.hex(ofFile: path)
        guard actual == recorded else {
            throw MissingArtifact(description: "\(path) changed since chapter \(number) wrote it (sha256 differs). Run `\(run)` again.")
        }
        inputs.append((path, actual))
        return path
    }

    // MARK: Reuse

    /// The program that runs: its path, size and modification time. A rebuilt chapter (any code change) differs.
    static let programIdentity: String = {
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var st = stat()
        guard stat(path, &st) == 0 else { return path }
        return "\(path) \(st.st_size) bytes, modified \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
    }()

    var optionsJSON: JSON {
        var opts = options.json.object ?? JSONObject()
        for (k, v) in chapterOptions.pairs { opts[k] = v }
        return .object(opts)
    }

    var inputsJSON: JSON {
        var o = JSONObject()
        for (p, h) in inputs { o[p] = .string(h) }
        return .object(o)
    }

    /// True when the previous run of this chapter finished with the same program, options and inputs (call it after
    /// recording every input), and every output it listed is still there with its recorded hash. Otherwise the old
    /// manifest is removed and the chapter runs.
    public func reuseIfFinished() throws -> Bool {
        defer { invalidatePrevious() }
        guard !options.rerun, let previous,
              previous["program"]?.string == ChapterRun.programIdentity,
              previous["options"] == optionsJSON, previous["inputs"] == inputsJSON,
              let outputs = previous["outputs"]?.object, outputs.count > 0 else { return false }
        for (file, hash) in outputs.pairs {
            guard FileIO.exists(path(file)), try SHA256.hex(ofFile: path(file)) == hash.string else { return false }
        }
        notebook.text("Up to date: the previous run used the same program, options and inputs, and its \(outputs.count) outputs are unchanged, so they are reused (`--rerun` runs the chapter again).")
        self.previous = nil
        return true
    }

    /// Remove the previous manifest before anything new is written.
    private func invalidatePrevious() {
        guard previous != nil else { return }
        previous = nil
        unlink(directory + "/manifest.json")
    }

    // MARK: Outputs

    /// Write a text artifact atomically and record it.
    @discardableResult
    public func write(_ file: String, text: String) throws -> String {
        invalidatePrevious()
        try FileIO.writeAtomically(path(file), text: text)
        recordOutput(file)
        return path(file)
    }

    @discardableResult
    public func write(_ file: String, bytes: [UInt8]) throws -> String {
        invalidatePrevious()
        try FileIO.writeAtomically(path(file), bytes: bytes)
        recordOutput(file)
        return path(file)
    }

    @discardableResult
    public func writeJSONLines(_ file: String, _ records: [JSON]) throws -> String {
        try write(file, text: Records.jsonLines(records))
    }

    @discardableResult
    public func write(_ file: String, table: Table) throws -> String {
        let written = try write(file, text: table.markdown)
        if file.hasSuffix(".md") { try write(String(file.dropLast(3)) + ".csv", text: table.csv) }
        return written
    }

    /// Record a file the chapter wrote by other means (a checkpoint writer, say).
    public func recordOutput(_ file: String) {
        invalidatePrevious()
        if !outputs.contains(file) { outputs.append(file) }
    }

    /// Add a figure to the notebook and record its files.
    public func figure(_ figure: Figure, caption: String? = nil) throws {
        invalidatePrevious()
        try notebook.figure(figure, caption: caption)
        for ext in ["png", "svg", "gp", "dat"] { recordOutput(figure.name + "." + ext) }
    }

    // MARK: Finishing

    /// Write notebook.md and, last of all, manifest.json.
    public func finish() throws {
        let seconds = Date().timeIntervalSince(started)
        notebook.text("*Wall time: \(Format.fixed(seconds, 1)) s.*")
        try write("notebook.md", text: notebook.markdown)
        var outputHashes = JSONObject()
        for file in outputs.sorted() { outputHashes[file] = .string(try SHA256.hex(ofFile: path(file))) }
        let manifest = JSON([
            "chapter": .string(ChapterRun.folder(number, slug)),
            "program": .string(ChapterRun.programIdentity),
            "inputs": inputsJSON,
            "options": optionsJSON,
            "outputs": .object(outputHashes),
            "wall_seconds": .number((seconds * 10).rounded() / 10),
            "git_commit": .string(ChapterRun.gitCommit()),
        ])
        try FileIO.writeAtomically(path("manifest.json"), text: manifest.serialized(pretty: true) + "\n")
    }

    static func gitCommit() -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "rev-parse", "--short=12", "HEAD"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "unknown" }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return process.terminationStatus == 0 && !commit.isEmpty ? commit : "unknown"
    }
}

/// Run a chapter's body, turning thrown errors into one clear line on stderr and exit status 1.
public func runChapter(_ body: () throws -> Void) {
    do { try body() } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        exit(1)
    }
}
