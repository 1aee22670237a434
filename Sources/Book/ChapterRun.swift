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
//
// One run per folder: before anything else, a run checks that it can write in its folder and takes the folder's
// lock (FolderLock), held until the process ends. A second run on the same folder is refused at once, naming the
// first one's pid; so two runs can never mix their files under one manifest.

public struct MissingArtifact: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

public final class ChapterRun {
    public let chapter: Chapter
    public let options: CommonOptions
    public let preset: Preset
    public let directory: String
    public let dataDirectory: String
    public let notebook: Notebook
    /// Every option of the chapter's command (see RecordedOptions), as the manifest records it.
    public let recordedOptions: JSONObject

    private var inputs: [(path: String, sha256: String)] = []
    /// Set by the reuse check. An input first read after it would be missing from the inputs the next run's check
    /// compares, so that run could never be reused: a programming error, stopped at once.
    private var reuseChecked = false

    private func addInput(_ path: String, _ sha256: String) {
        precondition(!reuseChecked || inputs.contains { $0.path == path },
                     "\(path): an input first read after the reuse check (read it before, or no run is ever reused)")
        inputs.append((path, sha256))
    }
    private var outputs: [String] = []
    private let started = Date()
    /// The manifest of the previous run, until this run writes its first file.
    private var previous: JSON?
    /// This process's hold on `directory`.
    private let lock: FolderLock
    /// Inputs that began with a byte-order mark (skipped by every reader), for the notebook.
    private var byteOrderMarks: [String] = []
    private var byteOrderMarksShown = 0

    /// The lock file in every chapter folder: empty once its run has ended, never listed in a manifest.
    public static let lockFileName = FolderLock.fileName

    public init<Command: ChapterCommand>(_ command: Command) throws {
        chapter = Command.chapter
        options = command.common
        recordedOptions = command.recordedOptions
        preset = options.preset
        dataDirectory = options.resolvedDataDirectory
        directory = options.outputDirectory + "/" + chapter.folder
        try FileIO.makeDirectories(directory)
        try FileIO.checkWritable(directory)
        lock = try FolderLock.take(directory, holder: ChapterRun.commandLine)
        let manifestPath = directory + "/manifest.json"
        if FileIO.exists(manifestPath) { previous = try? JSON.parse(try FileIO.read(manifestPath), file: manifestPath) }
        notebook = Notebook(title: chapter.heading, chapter: chapter.number, directory: directory)
        notebook.text("Run at scale `\(options.scale.rawValue)` with seed \(options.seed); data from `\(dataDirectory)`; artifacts in `\(directory)`.")
        // The kernels decide the speed of every chapter that multiplies matrices; a fallback is said loudly.
        let blas = BLAS.coreReport
        notebook.text("Matrix products: \(blas.line); \(BLAS.threads) thread\(BLAS.threads == 1 ? "" : "s").")
        if blas.isFallback { FileHandle.standardError.write(Data((blas.line + "\n").utf8)) }
    }

    public func path(_ file: String) -> String { directory + "/" + file }

    // MARK: Inputs

    /// Record a data file this chapter reads (its sha256 goes into the manifest). Returns the path.
    @discardableResult
    public func input(_ path: String) throws -> String {
        guard FileIO.exists(path) else { throw MissingArtifact(description: "\(path): not found") }
        addInput(path, try SHA256.hex(ofFile: path))
        if TextFile.startsWithByteOrderMark(path: path) { byteOrderMarks.append(path) }
        return path
    }

    /// Say in the notebook which inputs began with a byte-order mark (once each; called when the inputs are known).
    private func noteByteOrderMarks() {
        guard byteOrderMarks.count > byteOrderMarksShown else { return }
        let new = byteOrderMarks[byteOrderMarksShown...]
        byteOrderMarksShown = byteOrderMarks.count
        let files = new.prefix(5).map { "`\($0)`" }.joined(separator: ", ") + (new.count > 5 ? " and \(new.count - 5) more" : "")
        notebook.text("\(new.count) input file\(new.count == 1 ? "" : "s") began with a UTF-8 byte-order mark (U+FEFF), skipped as every reader here skips it: \(files).")
    }

    /// An artifact of an earlier chapter, read after checking that the chapter finished (its manifest lists every
    /// file of the artifact) and that the files still have the hashes recorded there; they become inputs of this run.
    /// `root` is the artifacts folder of another run (an ablation's, say); by default this run's own `--out`.
    public func read<Content>(_ artifact: Artifact<Content>, root: String? = nil) throws -> Content {
        try Content.read(from: checkedPath(artifact, root: root))
    }

    /// Whether `chapter` has finished a run in this run's `--out` (its manifest is there), for a chapter whose input
    /// from it is optional.
    public func hasFinished(_ chapter: Chapter) -> Bool {
        FileIO.exists(options.outputDirectory + "/" + chapter.folder + "/manifest.json")
    }

    /// The path of an earlier chapter's artifact, checked as `read` checks it.
    public func checkedPath<Content>(_ artifact: Artifact<Content>, root: String? = nil) throws -> String {
        let writer = artifact.chapter
        let folder = (root ?? options.outputDirectory) + "/" + writer.folder
        let run = "swift run -c release \(writer.executable) --scale \(options.scale.rawValue)" + (root.map { " --out \($0)" } ?? "")
        let manifestPath = folder + "/manifest.json"
        guard FileIO.exists(manifestPath) else {
            throw MissingArtifact(description: "chapter \(writer.number) (\(writer.slug)) has not finished: \(manifestPath) is missing. Run `\(run)` first.")
        }
        let manifest = try JSON.parse(try FileIO.read(manifestPath), file: manifestPath)
        if let scale = manifest["options"]?["scale"]?.string, scale != options.scale.rawValue {
            throw MissingArtifact(description: "\(folder) was made at scale \(scale), this run is at \(options.scale.rawValue). Run `\(run)` first.")
        }
        for file in artifact.files {
            guard let recorded = manifest["outputs"]?[file]?.string else {
                throw MissingArtifact(description: "\(manifestPath) does not list \(file). Run `\(run)` again.")
            }
            let path = folder + "/" + file
            guard FileIO.exists(path) else { throw MissingArtifact(description: "\(path) is missing. Run `\(run)` again.") }
            let actual = try SHA256.hex(ofFile: path)
            guard actual == recorded else {
                throw MissingArtifact(description: "\(path) changed since chapter \(writer.number) wrote it (sha256 differs). Run `\(run)` again.")
            }
            addInput(path, actual)
        }
        return folder + "/" + artifact.path
    }

    // MARK: Reuse

    /// The program that runs: its path, size and modification time. A rebuilt chapter (any code change) differs.
    static let programIdentity: String = {
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var st = stat()
        guard stat(path, &st) == 0 else { return path }
        return "\(path) \(st.st_size) bytes, modified \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
    }()

    var optionsJSON: JSON { .object(recordedOptions) }

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
        reuseChecked = true
        noteByteOrderMarks()
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

    /// Write an artifact of this chapter atomically and record it.
    public func write<Content: WritableArtifact>(_ artifact: Artifact<Content>, _ content: Content) throws {
        precondition(artifact.chapter == chapter, "chapter \(chapter.number) cannot write chapter \(artifact.chapter.number)'s \(artifact.path)")
        try write(artifact.path, bytes: content.bytes)
    }

    /// Record an artifact of this chapter that other code wrote (a model folder, say).
    public func recordOutput<Content>(_ artifact: Artifact<Content>) {
        precondition(artifact.chapter == chapter, "chapter \(chapter.number) cannot write chapter \(artifact.chapter.number)'s \(artifact.path)")
        for file in artifact.files { recordOutput(file) }
    }

    /// Write a text file of this chapter's own (a report, a table) atomically and record it.
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
    public func write<Record: JSONRecord>(_ file: String, jsonLines records: [Record]) throws -> String {
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
        noteByteOrderMarks()
        let seconds = Date().timeIntervalSince(started)
        notebook.text("*Wall time: \(Format.fixed(seconds, 1)) s.*")
        try write("notebook.md", text: notebook.markdown)
        var outputHashes = JSONObject()
        for file in outputs.sorted() { outputHashes[file] = .string(try SHA256.hex(ofFile: path(file))) }
        let manifest = JSON([
            "chapter": .string(chapter.folder),
            "program": .string(ChapterRun.programIdentity),
            "inputs": inputsJSON,
            "options": optionsJSON,
            "outputs": .object(outputHashes),
            "wall_seconds": .number((seconds * 10).rounded() / 10),
            "git_commit": .string(ChapterRun.gitCommit()),
        ])
        try FileIO.writeAtomically(path("manifest.json"), text: manifest.serialized(pretty: true) + "\n")
    }

    /// This process's command line, with the executable's name only: what a refused run shows of the holder.
    static var commandLine: String {
        let arguments = CommandLine.arguments
        return ([(arguments.first.map { ($0 as NSString).lastPathComponent }) ?? "?"] + arguments.dropFirst()).joined(separator: " ")
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
