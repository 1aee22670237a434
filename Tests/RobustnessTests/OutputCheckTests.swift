import Foundation
import XCTest
import Repro
import Tensor
import Plumbing
import Book

/// Outputs are checked before a manifest claims them, and a folder that cannot be written is found out before any
/// work. The full disk is a file-size limit (a write past it fails, as one on a full disk does): gnuplot still exits
/// 0 after writing a truncated PNG or SVG under it.
final class OutputCheckTests: ScratchCase {
    /// Chapter 03 under a 16 KiB limit: its tables fit, its figures (about 30 KiB each) do not. It used to finish
    /// with a manifest listing the truncated figures.
    func testATruncatedFigureStopsTheChapterWithoutAManifest() throws {
        let chapters = try Chapters.locate()
        let out = scratch + "/out"
        for chapter in [Chapter.pretraining, .dataRepair, .prompting] {
            try chapters.runOrFail(chapter, Chapters.common(out: out), log: scratch + "/\(chapter.folder).log")
        }
        let status = try chapters.run(.modelConfig, Chapters.common(out: out), log: scratch + "/ch03.log",
                                      wrapper: Limits.fileSize(kilobytes: 16))
        let output = try Tree.text(scratch + "/ch03.log")
        XCTAssertNotEqual(status, 0, output)
        XCTAssertTrue(output.contains(out + "/" + Chapter.modelConfig.folder) && (output.contains(".png") || output.contains(".svg")), output)
        XCTAssertFalse(FileIO.exists(out + "/" + Chapter.modelConfig.folder + "/manifest.json"), "a manifest claims a truncated figure")
        // Without the limit the same command finishes, and every figure it lists is whole.
        try chapters.runOrFail(.modelConfig, Chapters.common(out: out), log: scratch + "/ch03-again.log")
        try assertManifestWhole(out + "/" + Chapter.modelConfig.folder)
    }

    /// Chapter 04 whose first checkpoint does not fit (a 64 KiB limit): the step's temporary folder is removed on
    /// the error path, and the next attempt, without the limit, finishes.
    func testAFailedCheckpointLeavesNoTemporaryFolder() throws {
        let runs = try SmokeRuns.shared()
        let out = scratch + "/out"
        try runs.copyFirst(SmokeRuns.beforeTraining, to: out)
        let arguments = Chapters.common(out: out) + OneRunPerFolderTests.training
        let status = try runs.chapters.run(.training, arguments, log: scratch + "/full.log", environment: SmokeRuns.environment,
                                           wrapper: Limits.fileSize(kilobytes: 64))
        let output = try Tree.text(scratch + "/full.log")
        XCTAssertNotEqual(status, 0, output)
        XCTAssertTrue(output.contains("File too large") || output.contains("write failed"), output)
        let folder = out + "/" + Chapter.training.folder
        let files = try Tree.files(folder)
        XCTAssertFalse(Tree.contains(folder, nameWith: ".partial-"), "leftovers: \(files)")
        try runs.chapters.runOrFail(.training, arguments, log: scratch + "/again.log", environment: SmokeRuns.environment)
        try assertManifestWhole(folder)
    }

    /// A chapter 04 folder that cannot be written is refused before the first step; it used to train until its
    /// first checkpoint.
    func testAFolderThatCannotBeWrittenIsRefusedBeforeAnyWork() throws {
        let runs = try SmokeRuns.shared()
        let out = scratch + "/out"
        try runs.copyFirst(SmokeRuns.beforeTraining, to: out)
        let folder = out + "/" + Chapter.training.folder
        try FileIO.makeDirectories(folder)
        XCTAssertEqual(chmod(folder, 0o555), 0)
        defer { chmod(folder, 0o755) }
        let status = try runs.chapters.run(.training, Chapters.common(out: out) + OneRunPerFolderTests.training,
                                           log: scratch + "/ro.log", environment: SmokeRuns.environment,
                                           wrapper: try Limits.permissionsApply())
        let output = try Tree.text(scratch + "/ro.log")
        XCTAssertNotEqual(status, 0, output)
        XCTAssertTrue(output.contains(folder) && output.contains("Permission denied"), output)
        XCTAssertFalse(output.contains(" steps · "), "it trained before finding out: \(output)")
        XCTAssertEqual(try Tree.files(folder), [])
    }
}
