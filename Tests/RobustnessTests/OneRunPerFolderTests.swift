import Foundation
import XCTest
import Repro
import Tensor
import Plumbing
import Book

/// One run per chapter folder: a second run on a folder that a run holds is refused at once, naming the holder's
/// process; a lock left by a process that died never blocks. Before the lock, two runs of chapter 04 in one `--out`
/// both exited 0 and left one run's model beside the other run's notebook, under a manifest that checked out.
final class OneRunPerFolderTests: ScratchCase {
    static let training = ["--cells", "small-high", "--epochs", "2"]

    /// `out` with chapters 00–02 of the shared smoke run, ready for chapter 04.
    func prepared(_ name: String) throws -> (runs: SmokeRuns, out: String) {
        let runs = try SmokeRuns.shared()
        let out = scratch + "/" + name
        try runs.copyFirst(SmokeRuns.beforeTraining, to: out)
        return (runs, out)
    }

    /// The lock file in every chapter folder (FolderLock.fileName).
    static let lockFileName = ".lock"

    func lockFile(_ out: String, _ chapter: Chapter) -> String { out + "/" + chapter.folder + "/" + Self.lockFileName }

    /// Wait until `process` holds `chapter`'s folder in `out` (its lock file names it), or, without a lock, has
    /// started writing there; false when it ended first.
    func waitUntilHolding(_ process: Process, _ out: String, _ chapter: Chapter) -> Bool {
        waitUntil(seconds: 60) {
            !process.isRunning
                || (try? Tree.text(lockFile(out, chapter)))?.contains("pid \(process.processIdentifier) ") == true
                || FileIO.exists(out + "/" + chapter.folder + "/cells")
        } && process.isRunning
    }

    func testASecondRunOnAFolderInUseIsRefusedAndTheFolderHoldsOneRunsArtifacts() throws {
        let (runs, out) = try prepared("shared")
        let chapters = runs.chapters
        let a = try chapters.start(.training, Chapters.common(out: out, seed: 2) + Self.training, log: scratch + "/a.log",
                                   environment: SmokeRuns.environment)
        XCTAssertTrue(waitUntilHolding(a, out, .training), "run A ended before it held its folder")
        let b = try chapters.run(.training, Chapters.common(out: out, seed: 1234) + Self.training, log: scratch + "/b.log",
                                 environment: SmokeRuns.environment)
        let bOutput = try Tree.text(scratch + "/b.log")
        a.waitUntilExit()
        let aOutput = try Tree.text(scratch + "/a.log")
        XCTAssertEqual(a.terminationStatus, 0, aOutput)
        XCTAssertNotEqual(b, 0, "run B ran beside run A: \(bOutput)")
        XCTAssertTrue(bOutput.contains("pid \(a.processIdentifier)") && bOutput.contains(out + "/" + Chapter.training.folder), bOutput)
        XCTAssertFalse(bOutput.contains(" steps · "), "run B trained: \(bOutput)")

        // The folder is run A's, exactly: the same bytes as a run of A's command alone.
        let (_, alone) = try prepared("alone")
        try chapters.runOrFail(.training, Chapters.common(out: alone, seed: 2) + Self.training, log: scratch + "/alone.log",
                               environment: SmokeRuns.environment)
        let folder = Chapter.training.folder
        try assertManifestWhole(out + "/" + folder)
        let manifest = try JSON.parse(try FileIO.read(out + "/\(folder)/manifest.json"))
        XCTAssertEqual(manifest["options"]?["seed"], 2)
        for file in ["grid.json", "cells/small-high/metrics.csv", "cells/small-high/validation.csv",
                     "cells/small-high/model/model.safetensors"] {
            XCTAssertEqual(try FileIO.read(out + "/\(folder)/" + file), try FileIO.read(alone + "/\(folder)/" + file), file)
        }
        let training = try Tree.text(out + "/\(folder)/training.md")
        XCTAssertEqual(WallTime.maskMarkdown(training), WallTime.maskMarkdown(try Tree.text(alone + "/\(folder)/training.md")))
    }

    func testALockLeftByAKilledRunDoesNotBlockTheNext() throws {
        let (runs, out) = try prepared("killed")
        let a = try runs.chapters.start(.training, Chapters.common(out: out) + Self.training, log: scratch + "/a.log",
                                        environment: SmokeRuns.environment)
        XCTAssertTrue(waitUntilHolding(a, out, .training))
        XCTAssertTrue(a.killHard())
        XCTAssertTrue(try Tree.text(lockFile(out, .training)).contains("pid \(a.processIdentifier) "), "the dead run's lock file is left")
        try runs.chapters.runOrFail(.training, Chapters.common(out: out) + Self.training, log: scratch + "/b.log",
                                    environment: SmokeRuns.environment)
        try assertManifestWhole(out + "/" + Chapter.training.folder)
        // A finished run leaves its lock file empty, so two runs' folders stay byte-identical.
        XCTAssertEqual(try FileIO.read(lockFile(out, .training)), [])
    }

    /// Chapter 06 holds its folder while it runs chapters 01–05 as processes, each of which takes its own folder:
    /// a second chapter 06 on the same `--out` is refused while the first one's chapter 01 runs.
    func testChapter06HoldsItsFolderWhileItsChaptersTakeTheirs() throws {
        let chapters = try Chapters.locate()
        let out = scratch + "/book"
        let a = try chapters.start(.ablations, Chapters.common(out: out) + ["--only", "seed"], log: scratch + "/a.log",
                                   environment: SmokeRuns.environment)
        defer { if a.isRunning { a.killHard() } }
        XCTAssertTrue(waitUntil(seconds: 60) { (try? Tree.text(lockFile(out, .ablations)))?.contains("pid \(a.processIdentifier) ") == true })
        // Its chapter 01 (a child, not chapter 06 itself) holds chapter 01's folder.
        var child: Int32?
        XCTAssertTrue(waitUntil(seconds: 60) {
            guard let text = try? Tree.text(lockFile(out, .dataRepair)), let pid = Int32(text.split(separator: " ").dropFirst().first ?? "") else { return false }
            child = pid
            return pid != a.processIdentifier
        }, "chapter 06's chapter 01 never took its folder")
        let b = try chapters.run(.ablations, Chapters.common(out: out) + ["--only", "seed"], log: scratch + "/b.log")
        let bOutput = try Tree.text(scratch + "/b.log")
        XCTAssertEqual(b, 1, bOutput)
        XCTAssertTrue(bOutput.contains("pid \(a.processIdentifier)") && bOutput.contains(Chapter.ablations.folder), bOutput)
        XCTAssertNotNil(child)
        // End the first run: stopped (so it starts no other chapter), its chapter process killed, then itself.
        kill(a.processIdentifier, SIGSTOP)
        let pid = a.processIdentifier
        let children = (try? Tree.text("/proc/\(pid)/task/\(pid)/children"))?.split(separator: " ").compactMap { Int32($0) } ?? []
        for child in children { kill(child, SIGKILL) }
        XCTAssertTrue(a.killHard())
    }
}
