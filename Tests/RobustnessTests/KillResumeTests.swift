import Foundation
import XCTest
import Repro
import Tensor
import Plumbing
import Book

/// SIGKILL a chapter at chosen moments and run it again: what is on disk is always whole (or absent), and the run
/// that finishes after the kills writes exactly the bytes an uninterrupted run writes.
final class KillResumeTests: ScratchCase {
    // MARK: - Chapter 04: checkpoints

    /// SmokeRuns.training: one cell for 2 epochs, 12 optimizer steps, a checkpoint after steps 6 and 12.
    var cell: String { "04-training/cells/small-high" }

    /// The checkpoint on disk after a kill: no `latest` (nothing saved yet), or `latest` naming a folder that holds
    /// a complete, loadable checkpoint of step N whose metrics are the first N lines of the uninterrupted run's.
    func assertCheckpointWhole(_ out: String, referenceMetrics: [Substring], file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        XCTAssertFalse(FileIO.exists(out + "/04-training/manifest.json"), "a killed run left a manifest", file: file, line: line)
        let checkpoints = out + "/" + cell + "/checkpoints"
        guard FileIO.exists(checkpoints + "/latest") else { return 0 }
        let name = try Tree.text(checkpoints + "/latest").trimmingCharacters(in: .whitespacesAndNewlines)
        let directory = checkpoints + "/" + name
        let model = try Checkpoint.loadModel(from: directory)
        let optimizer = AdamW(layout: model.layout)
        let metadata = try Checkpoint.loadTrainerState(into: optimizer, from: directory)
        let step = try XCTUnwrap(metadata["step"].flatMap(Int.init), file: file, line: line)
        XCTAssertEqual(name, "step-" + String(repeating: "0", count: 6 - String(step).count) + String(step), file: file, line: line)
        XCTAssertEqual(optimizer.step, step, file: file, line: line)
        let metrics = try Tree.text(directory + "/metrics.csv").split(separator: "\n")
        XCTAssertEqual(Array(metrics), Array(referenceMetrics.prefix(step + 1)), "\(directory)/metrics.csv", file: file, line: line)
        return step
    }

    func testKilledTrainingResumesToTheUninterruptedRunsBytes() throws {
        let runs = try SmokeRuns.shared()
        let straight = runs.first + "/" + cell
        let referenceMetrics = try Tree.text(straight + "/metrics.csv").split(separator: "\n")
        XCTAssertEqual(referenceMetrics.count, 13)

        // One run, killed again and again, each time resumed with --resume.
        let out = scratch + "/killed"
        try runs.copyFirst(SmokeRuns.beforeTraining, to: out)
        let checkpoints = out + "/" + cell + "/checkpoints"
        let log = scratch + "/killed.log"
        var landedMidWrite = 0, kills = 0
        func startRun(resume: Bool) throws -> Process {
            try runs.chapters.start(.training, Chapters.common(out: out) + SmokeRuns.training + (resume ? ["--resume"] : []),
                                    log: log, environment: SmokeRuns.environment)
        }
        func afterKill(_ process: Process, _ moment: String) throws -> Int {
            if process.killHard() { kills += 1 }
            let midWrite = Tree.contains(checkpoints, nameWith: ".partial-\(process.processIdentifier)")
            if midWrite { landedMidWrite += 1 }
            let step = try assertCheckpointWhole(out, referenceMetrics: referenceMetrics)
            print("kill \(moment): checkpoint on disk is step \(step)\(midWrite ? ", a checkpoint write was cut" : "")")
            return step
        }

        // 1. During the first steps, before any checkpoint: nothing saved, the resumed run starts over.
        var process = try startRun(resume: false)
        XCTAssertTrue(waitUntil(seconds: 120) { (try? Tree.text(log))?.contains("1/12 steps") ?? false }, "no progress line")
        XCTAssertEqual(try afterKill(process, "after step 1"), 0)

        // 2. During the first checkpoint's write (a temporary file or folder exists): still nothing, or step 6 whole.
        process = try startRun(resume: true)
        XCTAssertTrue(waitUntil(seconds: 120) { Tree.contains(checkpoints, nameWith: ".partial-\(process.processIdentifier)") },
                      "never saw the first checkpoint being written")
        XCTAssert([0, 6].contains(try afterKill(process, "during the first checkpoint write")))

        // 3. During the last checkpoint's write, with an earlier one on disk: the previous (6) or the new one (12).
        process = try startRun(resume: true)
        XCTAssertTrue(waitUntil(seconds: 120) {
            ((try? Tree.text(checkpoints + "/latest")) ?? "").hasPrefix("step-000006")
                && Tree.contains(checkpoints, nameWith: ".partial-\(process.processIdentifier)")
        }, "never saw the second checkpoint being written")
        XCTAssert([6, 12].contains(try afterKill(process, "during the second checkpoint write")))

        // 4. Right after the last checkpoint is named `latest` (the old one being removed, the final model written).
        process = try startRun(resume: true)
        XCTAssertTrue(waitUntil(seconds: 120) { ((try? Tree.text(checkpoints + "/latest")) ?? "").hasPrefix("step-000012") })
        XCTAssertEqual(try afterKill(process, "right after step 12's checkpoint"), 12)

        // The last run finishes: every byte of the cell's results equals the uninterrupted run's.
        try runs.chapters.runOrFail(.training, Chapters.common(out: out) + SmokeRuns.training + ["--resume"], log: log,
                                    environment: SmokeRuns.environment)
        print("\(kills) kills, \(landedMidWrite) of them in the middle of a checkpoint write")
        XCTAssertGreaterThanOrEqual(kills, 4)
        for file in ["model/model.safetensors", "model/config.json", "metrics.csv", "validation.csv",
                     "checkpoints/latest", "checkpoints/step-000012/model.safetensors", "checkpoints/step-000012/trainer_state.safetensors"] {
            XCTAssertEqual(try SHA256.hex(ofFile: out + "/" + cell + "/" + file), try SHA256.hex(ofFile: straight + "/" + file), file)
        }
        XCTAssertEqual(try Tree.files(checkpoints), try Tree.files(straight + "/checkpoints"), "leftovers in checkpoints/")
        try assertManifestWhole(out + "/04-training")
    }

    /// A run without --resume starts over: killed before its first checkpoint, it must not leave an older run's
    /// checkpoint (here, one trained at another learning rate) for the next --resume to pick up. And --resume refuses
    /// a checkpoint made with other hyperparameters instead of mixing two recipes.
    func testAFreshRunNeverContinuesAnOlderRunsCheckpoint() throws {
        let runs = try SmokeRuns.shared()
        let out = scratch + "/fresh"
        try runs.copyFirst(SmokeRuns.beforeTraining, to: out)
        let log = scratch + "/fresh.log"
        let arguments = Chapters.common(out: out) + SmokeRuns.training
        try runs.chapters.runOrFail(.training, arguments + ["--learning-rates", "0.01,0.001", "--stop-after", "6"], log: log,
                                    environment: SmokeRuns.environment)
        XCTAssertEqual(try Tree.text(out + "/" + cell + "/checkpoints/latest"), "step-000006\n")

        XCTAssertNotEqual(try runs.chapters.run(.training, arguments + ["--resume"], log: log, environment: SmokeRuns.environment), 0)
        let refusal = try Tree.text(log)
        XCTAssertTrue(refusal.contains("step-000006") && refusal.contains("learning rate"), refusal)

        let process = try runs.chapters.start(.training, arguments, log: log, environment: SmokeRuns.environment)
        XCTAssertTrue(waitUntil(seconds: 120) { (try? Tree.text(log))?.contains("1/12 steps") ?? false }, "no progress line")
        process.killHard()
        try runs.chapters.runOrFail(.training, arguments + ["--resume"], log: log, environment: SmokeRuns.environment)
        XCTAssertEqual(try SHA256.hex(ofFile: out + "/" + cell + "/model/model.safetensors"),
                       try SHA256.hex(ofFile: runs.first + "/" + cell + "/model/model.safetensors"))
    }

    // MARK: - Chapters 01 and 02: manifests

    /// After a kill, a chapter's folder has no manifest (the chapter looks unfinished, and the next chapter refuses
    /// to start) or a whole one (every file it lists is there with its hash). Returns whether it had finished.
    func assertNoManifestOrAWholeOne(_ directory: String, file: StaticString = #filePath, line: UInt = #line) throws -> Bool {
        guard FileIO.exists(directory + "/manifest.json") else { return false }
        try assertManifestWhole(directory, file: file, line: line)
        return true
    }

    func testKilledChaptersLeaveNoManifestOrAWholeOne() throws {
        let runs = try SmokeRuns.shared()
        let out = scratch + "/chapters"
        let log = scratch + "/chapters.log"
        func start(_ chapter: Chapter) throws -> Process {
            try runs.chapters.start(chapter, Chapters.common(out: out), log: log, environment: SmokeRuns.environment)
        }
        func run(_ chapter: Chapter) throws -> Int32 {
            try runs.chapters.run(chapter, Chapters.common(out: out), log: log, environment: SmokeRuns.environment)
        }
        let chapter01 = out + "/01-data-repair", chapter02 = out + "/02-prompting"
        try runs.copyFirst(["00-pretraining"], to: out)      // chapter 02 reads the bases' tokenizer

        /// Kill `chapter` once it has written `file`: it must look unfinished, and `next` must refuse to start.
        func killOnceWritten(_ chapter: Chapter, _ folder: String, _ file: String, thenRefuses next: Chapter, saying: String) throws {
            let process = try start(chapter)
            XCTAssertTrue(waitUntil(seconds: 60) { FileIO.exists(folder + "/" + file) }, "\(chapter) never wrote \(file)")
            process.killHard()
            XCTAssertFalse(try assertNoManifestOrAWholeOne(folder), "\(chapter) finished before the kill")
            XCTAssertNotEqual(try run(next), 0)
            let refusal = try Tree.text(log)
            XCTAssertTrue(refusal.contains(saying), refusal)
        }

        // Chapter 01 killed once it has written its main output, then at moments spread over its run.
        try killOnceWritten(.dataRepair, chapter01, "repaired.jsonl", thenRefuses: .prompting,
                            saying: "chapter 1 (data-repair) has not finished")
        var finished = 0
        for delay in [0.02, 0.05, 0.1, 0.2, 0.4] {
            let process = try start(.dataRepair)
            usleep(useconds_t(delay * 1e6))
            process.killHard()
            if try assertNoManifestOrAWholeOne(chapter01) { finished += 1 }
        }
        print("chapter 01: \(finished) of 5 timed kills came after it finished")

        // Run again: it finishes, and writes what an uninterrupted run writes.
        XCTAssertEqual(try run(.dataRepair), 0)
        XCTAssertTrue(try assertNoManifestOrAWholeOne(chapter01))

        // Chapter 02 killed once its tokenizer is written: unfinished, so chapter 04 refuses to start; run again.
        try killOnceWritten(.prompting, chapter02, "tokenizer.json", thenRefuses: .training,
                            saying: "chapter 2 (prompting) has not finished")
        XCTAssertEqual(try run(.prompting), 0)
        XCTAssertTrue(try assertNoManifestOrAWholeOne(chapter02))

        // Apart from wall times and the folder's name, the interrupted chapters end with the uninterrupted run's bytes.
        for folder in ["01-data-repair", "02-prompting"] {
            let manifest = try JSON.parse(try FileIO.read(out + "/" + folder + "/manifest.json"))
            for (name, _) in try XCTUnwrap(manifest["outputs"]?.object).pairs {
                let path = folder + "/" + name
                XCTAssertEqual(try WallTime.masked(path, try FileIO.read(out + "/" + path)).replacingOccurrences(of: out, with: "<out>"),
                               try WallTime.masked(path, try FileIO.read(runs.first + "/" + path)).replacingOccurrences(of: runs.root + "/out", with: "<out>"),
                               path)
            }
        }
    }
}
