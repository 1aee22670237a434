import XCTest
@testable import ch06_ablations
import Repro
import Tensor
import Plumbing
import Book

final class SweepAndAblationTests: XCTestCase {
    /// The course sweep keeps every ratio of Polyglot-Ko's four shapes: width ÷ 32, layers ÷ 4, heads ÷ 8.
    func testCourseSweepShapes() {
        let sweep = Preset.course.sizeSweep
        XCTAssertEqual(sweep.map(\.name), ["course-1.3b", "course-3.8b", "course-5.8b", "course-12.8b"])
        XCTAssertEqual(sweep.map(\.hiddenSize), [64, 96, 128, 160])
        XCTAssertEqual(sweep.map(\.numLayers), [6, 8, 7, 10])
        XCTAssertEqual(sweep.map(\.numHeads), [2, 3, 2, 5])
        XCTAssertEqual(sweep.map(\.headDim), [32, 32, 64, 32])
        XCTAssertEqual(sweep.map(\.rotaryDims), [16, 16, 16, 16])
        XCTAssertEqual(sweep.map(\.vocabSize), Array(repeating: 4096, count: 4))
        XCTAssertEqual(sweep.map(\.maxPositions), Array(repeating: 256, count: 4))
        // Parameters grow with the originals' order.
        let counts = sweep.map(\.parameterCount)
        XCTAssertEqual(counts, counts.sorted())
    }

    /// Every preset's sweep is a valid model (even head widths for the rotary pairs, whole heads).
    func testEverySweepIsValid() throws {
        for scale in [Scale.smoke, .course, .full, .paper] {
            for config in Preset.named(scale).sizeSweep {
                XCTAssertEqual(config.hiddenSize % config.numHeads, 0, config.name)
                XCTAssertEqual(config.rotaryDims % 2, 0, config.name)
                XCTAssertGreaterThan(config.numLayers, 0, config.name)
            }
        }
        XCTAssertEqual(Preset.paper.sizeSweep.map(\.parameterCount), NeoXConfig.polyglotKo.map(\.parameterCount))
    }

    /// Each ablation changes one chapter's behaviour; the rest of its arguments only choose cells or keep the
    /// baseline's tokenizer and bases.
    func testEachAblationChangesOneThing() {
        let tokenizer = ["--tokenizer", "base/02-prompting/tokenizer.json"], bases = ["--pretrained-from", "base"]
        func args(_ a: Ablation, _ c: Chapter) -> [String] { a.arguments(chapter: c, baseline: "base", seed: 1234) }
        XCTAssertEqual(args(.promptMask, .dataRepair), [])
        XCTAssertEqual(args(.promptMask, .prompting), ["--no-prompt-mask"] + tokenizer)
        XCTAssertEqual(args(.promptMask, .training), ["--cells", "small-high"] + bases)
        XCTAssertEqual(args(.promptMask, .evaluation), ["--no-bases"])
        XCTAssertEqual(args(.repair, .dataRepair), ["--no-repair"])
        XCTAssertEqual(args(.repair, .prompting), tokenizer)
        XCTAssertEqual(args(.eos, .prompting), ["--no-eos"] + tokenizer)
        XCTAssertEqual(args(.template, .prompting), ["--template", "bilingual"] + tokenizer)
        XCTAssertEqual(args(.template, .evaluation), ["--no-bases", "--no-summaries"])
        XCTAssertEqual(args(.paperRates, .training), ["--learning-rates", "5e-5,7e-6", "--cells", "small-high,small-low"] + bases)
        XCTAssertEqual(args(.paperRates, .prompting), tokenizer)
        XCTAssertEqual(args(.noPretraining, .training), ["--no-pretraining", "--cells", "small-high"])
        XCTAssertEqual(args(.noPretraining, .evaluation), ["--no-bases"])
        // The sizes ablation pretrains the sweep's shapes in its own folder and fine-tunes those.
        XCTAssertEqual(Ablation.sizes.chapters, [.pretraining, .dataRepair, .prompting, .training, .evaluation])
        XCTAssertEqual(args(.sizes, .pretraining), ["--models", "sweep"])
        XCTAssertEqual(args(.sizes, .training), ["--models", "sweep", "--cells", "1.3b-high,3.8b-high,5.8b-high,12.8b-high"])
        XCTAssertEqual(args(.sizes, .evaluation), ["--no-bases"])
        XCTAssertEqual(args(.seed, .training), ["--seed", "1235", "--cells", "small-high"] + bases)
        XCTAssertEqual(args(.seed, .prompting), tokenizer)
        XCTAssertEqual(args(.seed, .evaluation), ["--no-bases"])
        XCTAssertEqual(Ablation.paperRates.cells, ["small-high", "small-low"])
        XCTAssertEqual(Ablation.seed.chapters, [.dataRepair, .prompting, .training, .evaluation])
        XCTAssertEqual(Set(Ablation.allCases.map(\.rawValue)).count, 8)
    }

    /// ch06 --training-records reaches chapter 02 of the baseline and of every variant, and no other chapter.
    func testTheRecordLimitIsShared() {
        XCTAssertEqual(Ablation.shared(chapter: .prompting, trainingRecords: 3000), ["--training-records", "3000"])
        for c in [Chapter.pretraining, .dataRepair, .training, .evaluation] {
            XCTAssertEqual(Ablation.shared(chapter: c, trainingRecords: 3000), [], "\(c)")
        }
        XCTAssertEqual(Ablation.shared(chapter: .prompting, trainingRecords: nil), [])
    }

    /// The course's hour leaves out the ablation that pretrains four more bases and the template's; every other
    /// scale runs all.
    func testTheCourseRunsEveryAblationButTheSizesAndTheTemplate() {
        XCTAssertEqual(Ablation.byDefault(at: .course), Ablation.allCases.filter { $0 != .sizes && $0 != .template })
        XCTAssertEqual(Ablation.byDefault(at: .smoke), Ablation.allCases)
        XCTAssertEqual(Ablation.byDefault(at: .full), Ablation.allCases)
        XCTAssertEqual(try AblationsChapter.parse(["--scale", "course"]).selected(), Ablation.byDefault(at: .course))
        XCTAssertEqual(try AblationsChapter.parse(["--scale", "course", "--only", "all"]).selected(), Ablation.allCases)
        XCTAssertEqual(try AblationsChapter.parse(["--scale", "course", "--only", "sizes,eos"]).selected(), [.sizes, .eos])
    }

    func testSimilarity() {
        XCTAssertEqual(EditDistance.similarity("", ""), 1)
        XCTAssertEqual(EditDistance.similarity("책을", "책을"), 1)
        XCTAssertEqual(EditDistance.similarity("", "책을"), 0)
        XCTAssertEqual(EditDistance.similarity("책를 읽었다", "책을 읽었다"), 1 - 1.0 / 6, accuracy: 1e-12)
        XCTAssertEqual(EditDistance.similarity("갈수", "갈 수"), 1 - 1.0 / 3, accuracy: 1e-12)
    }

    func testRepairedRecordsAreWhereTheFilesDiffer() throws {
        let dir = NSTemporaryDirectory() + "ablation-\(getpid())"
        try FileIO.makeDirectories(dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let repaired = dir + "/repaired.jsonl", original = dir + "/original.jsonl"
        try FileIO.writeAtomically(repaired, text: """
        {"instruction":"문장을 고치세요.","input":"나는 책를 읽었다.","output":"나는 책을 읽었다."}
        {"instruction":"인사하세요.","input":"","output":"안녕하세요."}

        """)
        try FileIO.writeAtomically(original, text: """
        {"instruction":"문장을 고치세요.","input":"나는 책을 읽었다.","output":"나는 책을 읽었다."}
        {"instruction":"인사하세요.","input":"","output":"안녕하세요."}

        """)
        func read(_ path: String) throws -> [InstructionRecord] { try JSONLines<InstructionRecord>.read(from: path).records }
        let prompts = try GrammarProbe.repairedRecords(repaired: try read(repaired), unrepaired: try read(original), file: original)
        XCTAssertEqual(prompts.count, 1)
        XCTAssertEqual(prompts[0].source, "record 0 (repaired)")
        XCTAssertEqual(prompts[0].record, 0)
        XCTAssertEqual(prompts[0].input, "나는 책를 읽었다.")
        XCTAssertEqual(prompts[0].expected, "나는 책을 읽었다.")
        // Files of different lengths are not the same data set: a clear error naming the file.
        try FileIO.writeAtomically(original, text: "{\"instruction\":\"a\",\"input\":\"\",\"output\":\"b\"}\n")
        XCTAssertThrowsError(try GrammarProbe.repairedRecords(repaired: try read(repaired), unrepaired: try read(original), file: original)) { error in
            XCTAssertTrue("\(error)".contains(original), "\(error)")
        }
    }
}
