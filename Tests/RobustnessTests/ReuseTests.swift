import Foundation
import XCTest
import Book
import Plumbing

/// A chapter whose last run finished with the same program, options and inputs is reused; change any of the three
/// and it runs again, and so does every chapter downstream whose input changed with it.
final class ReuseTests: ScratchCase {
    /// Runs chapters 00–03 (`extra` added to one of them) and says, per chapter, whether it reused its last run.
    func runChain(_ chapters: Chapters, extra: [Chapter: [String]] = [:], binary: [Chapter: String] = [:]) throws -> [Chapter: Bool] {
        var reused: [Chapter: Bool] = [:]
        for chapter in [Chapter.pretraining, .dataRepair, .prompting, .modelConfig] {
            let log = scratch + "/\(chapter.executable).log"
            let runner = binary[chapter].map { Chapters(bin: $0) } ?? chapters
            try runner.runOrFail(chapter, Chapters.common(out: scratch + "/out") + (extra[chapter] ?? []), log: log,
                                 environment: SmokeRuns.environment)
            reused[chapter] = try Tree.text(log).contains("Up to date: the previous run used the same program, options and inputs")
        }
        return reused
    }

    func testAnyChangedOptionProgramOrUpstreamArtifactRedoesTheChapterAndWhatFollows() throws {
        let chapters = try Chapters.locate()
        XCTAssertEqual(try runChain(chapters), [.pretraining: false, .dataRepair: false, .prompting: false, .modelConfig: false])
        XCTAssertEqual(try runChain(chapters), [.pretraining: true, .dataRepair: true, .prompting: true, .modelConfig: true])
        // An option of chapter 01 that changes its output: chapter 01 runs again, and so does chapter 02, which reads
        // it; chapter 03 reads chapter 02's counts and runs again exactly when they came out different.
        let stats = scratch + "/out/02-prompting/stats.json"
        let countsBefore = try FileIO.read(stats)
        let afterNoRepair = try runChain(chapters, extra: [.dataRepair: ["--no-repair"]])
        XCTAssertEqual(afterNoRepair[.dataRepair], false)
        XCTAssertEqual(afterNoRepair[.prompting], false)
        XCTAssertEqual(afterNoRepair[.modelConfig], try FileIO.read(stats) == countsBefore)
        // An option that changes only chapter 01's report: chapter 01 runs again; its repaired.jsonl comes out the same
        // bytes, so chapter 02 (which reads only that) is reused.
        XCTAssertEqual(try runChain(chapters, extra: [.dataRepair: ["--no-repair", "--table-rows", "3"]]),
                       [.pretraining: true, .dataRepair: false, .prompting: true, .modelConfig: true])
        // An option of chapter 03 alone.
        XCTAssertEqual(try runChain(chapters, extra: [.dataRepair: ["--no-repair", "--table-rows", "3"], .modelConfig: ["--utilisation", "0.3"]]),
                       [.pretraining: true, .dataRepair: true, .prompting: true, .modelConfig: false])
        // Another program: the same chapter 02 built elsewhere (a copy is another file) runs again.
        let elsewhere = scratch + "/bin"
        try FileIO.makeDirectories(elsewhere)
        try FileManager.default.copyItem(atPath: chapters.bin + "/" + Chapter.prompting.executable,
                                         toPath: elsewhere + "/" + Chapter.prompting.executable)
        let again = try runChain(chapters, extra: [.dataRepair: ["--no-repair", "--table-rows", "3"], .modelConfig: ["--utilisation", "0.3"]],
                                 binary: [.prompting: elsewhere])
        XCTAssertEqual(again[.dataRepair], true)
        XCTAssertEqual(again[.prompting], false)
        // Chapter 02 wrote the same bytes (same code, same inputs), so chapter 03 is reused.
        XCTAssertEqual(again[.modelConfig], true)
        // A changed upstream artifact: chapter 02's files edited by hand make chapter 03 refuse to start.
        try FileIO.writeAtomically(scratch + "/out/02-prompting/stats.json", text: "{}")
        XCTAssertNotEqual(try chapters.run(.modelConfig, Chapters.common(out: scratch + "/out"), log: scratch + "/tampered.log",
                                           environment: SmokeRuns.environment), 0)
        XCTAssertTrue(try Tree.text(scratch + "/tampered.log").contains("changed since chapter 2 wrote it"))
    }

    /// A second run of the chapters that read a base (04 and 05) is reused like the others. Chapter 04 used to read
    /// its bases only after the reuse check, so its inputs never matched and every run trained again (chapter 06's
    /// baseline included); ChapterRun now stops any input first read after the check.
    func testTheChaptersThatReadTheBasesAreReused() throws {
        let chapters = try Chapters.locate()
        let out = scratch + "/out"
        func runAll(_ label: String) throws -> [Chapter: Bool] {
            var reused: [Chapter: Bool] = [:]
            for chapter in [Chapter.pretraining, .dataRepair, .prompting, .modelConfig, .training, .evaluation] {
                let log = scratch + "/\(label)-\(chapter.executable).log"
                try chapters.runOrFail(chapter, Chapters.common(out: out) + (chapter == .training ? SmokeRuns.training : []),
                                       log: log, environment: SmokeRuns.environment)
                reused[chapter] = try Tree.text(log).contains("Up to date: the previous run used the same program, options and inputs")
            }
            return reused
        }
        XCTAssertEqual(Set(try runAll("first").filter(\.value).keys), [])
        XCTAssertEqual(Set(try runAll("second").filter { !$0.value }.keys), [])
    }
}
