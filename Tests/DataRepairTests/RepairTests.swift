import Repro
import XCTest
import Tensor
@testable import ch01_data_repair
import Plumbing

final class RepairTests: XCTestCase {
    func repair(_ instruction: String, _ input: String, _ output: String) -> RepairOutcome {
        let record = InstructionRecord(instruction: instruction, input: input, output: output)
        let c = GrammarRecords.classify(record)
        XCTAssertEqual(c.grammarClass, .alreadyCorrect, c.reason)
        return Repair.repair(IndexedRecord(index: 0, record: record), classification: c)
    }

    // 1. Particles

    func testParticleSwapPutsBackAnErrorAndLeavesTheOutput() {
        let outcome = repair("다음 문장의 문법 오류를 수정하세요.", "나는 책을 읽었다.", "나는 책을 읽었다.")
        XCTAssertEqual(outcome.edit?.rule, .particle)
        XCTAssertEqual(outcome.after.input, "나는 책를 읽었다.")
        XCTAssertEqual(outcome.after.output, outcome.before.output)
        XCTAssertEqual(outcome.after.instruction, outcome.before.instruction)
    }

    func testParticleAgreementEachPair() {
        XCTAssertEqual(Repair.particle("사과를 샀다", answer: "사과를 샀다")?.sentence, "사과을 샀다")
        XCTAssertEqual(Repair.particle("여우가 뛴다", answer: "여우가 뛴다")?.sentence, "여우이 뛴다")
        XCTAssertEqual(Repair.particle("사람이 뛴다", answer: "사람이 뛴다")?.sentence, "사람가 뛴다")
        XCTAssertEqual(Repair.particle("학생은 간다", answer: "학생은 간다")?.sentence, "학생는 간다")
        XCTAssertEqual(Repair.particle("친구와 간다", answer: "친구와 간다")?.sentence, "친구과 간다")
        XCTAssertEqual(Repair.particle("책상으로 옮겼다", answer: "책상으로 옮겼다")?.sentence, "책상로 옮겼다")
        XCTAssertEqual(Repair.particle("학교로 갔다", answer: "학교로 갔다")?.sentence, "학교으로 갔다")
    }

    func testRieulFinalTakesRoNotEuro() {
        // 서울 ends in ㄹ: 로 is right although 울 has a final consonant, so the error is 으로.
        let edit = Repair.particle("서울로 갔다.", answer: "서울로 갔다.")
        XCTAssertEqual(edit?.sentence, "서울으로 갔다.")
        XCTAssertTrue(edit?.detail.contains("ㄹ") ?? false)
        // 길으로 already disagrees (some other word, or an error): never touched.
        XCTAssertNil(Repair.particle("길으로 갔다.", answer: "길으로 갔다."))
    }

    func testWordsThatOnlyLookLikeParticles() {
        // 같이 is an adverb; 먹을 before 수 is a verb modifier; 하는 is a modifier; 국가 already "disagrees".
        XCTAssertNil(Repair.particle("같이 먹을 수 있다", answer: "같이 먹을 수 있다"))
        XCTAssertNil(Repair.particle("공부하는 국가", answer: "공부하는 국가"))
    }

    func testParticleNeedsTheCorrectFormInTheAnswer() {
        // The answer must show 책을, or the repaired pair would not correct it.
        XCTAssertNil(Repair.particle("나는 책을 읽었다.", answer: "그는 소설을 읽었다."))
    }

    // 2. Spacing

    func testSpacingBeforeADependentNoun() {
        let edit = Repair.spacing("먹을 수 있다.", answer: "먹을 수 있다.")
        XCTAssertEqual(edit?.sentence, "먹을수 있다.")
        XCTAssertEqual(edit?.rule, .spacing)
        XCTAssertEqual(Repair.spacing("가던 중이었어요", answer: "갔던 중이었어요.")?.sentence, "가던중이었어요")
    }

    func testSpacingOfAuxiliaries() {
        XCTAssertEqual(Repair.spacing("공부하고 있다", answer: "공부하고 있다")?.sentence, "공부하고있다")
        XCTAssertEqual(Repair.spacing("좋지 않다", answer: "좋지 않다")?.sentence, "좋지않다")
        // 그 중: 그 is no modifier (no final ㄴ/ㄹ), and 중요한 is not 중 + a particle.
        XCTAssertNil(Repair.spacing("그 중 중요한 문제", answer: "그 중 중요한 문제"))
    }

    // 3. Spelling

    func testSpellingAndEndings() {
        XCTAssertEqual(Repair.spelling("일이 잘 됐다", answer: "일이 잘 됐다")?.sentence, "일이 잘 됬다")
        XCTAssertEqual(Repair.spelling("며칠 걸렸다", answer: "며칠 걸렸다")?.sentence, "몇일 걸렸다")
        XCTAssertEqual(Repair.spelling("파티에 늦었습니다.", answer: "파티에 늦었습니다.")?.sentence, "파티에 늦었읍니다.")
        XCTAssertNil(Repair.spelling("일이 잘 됐다", answer: "일이 잘 되었다"))
    }

    // Order, named kinds, and where the sentence is

    func testNamedKindIsTriedFirst() {
        // A spelling task gets a spelling error even though a particle could be swapped.
        let outcome = repair("다음 문장의 맞춤법과 문법을 고치세요.", "우리는 며칠 동안 여행했다.", "우리는 며칠 동안 여행했다.")
        XCTAssertEqual(outcome.edit?.rule, .spelling)
        XCTAssertEqual(outcome.after.input, "우리는 몇일 동안 여행했다.")
        XCTAssertEqual(Repair.ruleOrder(named: nil), [.particle, .spacing, .spelling])
        XCTAssertEqual(Repair.ruleOrder(named: .spacing), [.spacing, .particle, .spelling])
    }

    func testPunctuationAndWordOrderTasks() {
        let punctuation = repair("적절한 구두점을 추가하여 문법적으로 올바르게 고치십시오.", "판사는 판결을 내렸습니다.", "판사는 판결을 내렸습니다.")
        XCTAssertEqual(punctuation.edit?.rule, .punctuation)
        XCTAssertEqual(punctuation.after.input, "판사는 판결을 내렸습니다")
        let order = repair("단어들을 배열하여 문법적으로 올바른 문장을 만드세요.", "고양이가 생선을 먹었습니다.", "고양이가 생선을 먹었다.")
        XCTAssertEqual(order.edit?.rule, .wordOrder)
        XCTAssertEqual(order.after.input, "먹었습니다 고양이가 생선을.")
    }

    func testSentenceInsideTheInstructionIsRepairedThere() {
        let outcome = repair("다음 문장의 문법 오류를 고치세요: 그는 책을 읽었다.", "", "그는 책을 읽었다.")
        XCTAssertEqual(outcome.after.instruction, "다음 문장의 문법 오류를 고치세요: 그는 책를 읽었다.")
        XCTAssertEqual(outcome.after.input, "")
        XCTAssertEqual(outcome.after.output, "그는 책을 읽었다.")
        XCTAssertEqual(outcome.source.name, "instruction")
    }

    func testNoApplicableRuleLeavesTheRecordUnchanged() {
        let outcome = repair("문장의 문법 오류를 수정하세요.", "안녕", "안녕")
        XCTAssertNil(outcome.edit)
        XCTAssertEqual(outcome.after, outcome.before)
    }
}

/// The whole flow on a small file: rejects excluded, order kept, counts right.
final class DataRepairResultTests: XCTestCase {
    func testTheFlowOnASmallFile() throws {
        let items = try XCTUnwrap(try JSON.parse("""
        [{"instruction": "건강 팁을 알려주세요.", "input": "", "output": "잘 주무세요."},
         {"instruction": "문장의 문법 오류를 수정하세요.", "input": "나는 책을 읽었다.", "output": "나는 책을 읽었다."},
         {"instruction": "문법", "input": "", "output": ""},
         {"instruction": "이 문장에 오류가 있는지 확인하세요.", "input": "나는 밥을 먹었다.", "output": "오류가 없습니다."},
         {"instruction": "디버깅이란?", "input": "", "output": "오류를 찾는 일입니다."}]
        """).array)
        let data = try Validation.validate(items, file: "small.json")
        let result = DataRepairResult(data)
        XCTAssertEqual(result.data.rejects.map(\.index), [2])
        XCTAssertEqual(result.repaired.map(\.index), [0, 1, 3, 4])
        XCTAssertEqual(result.repaired[1].record.input, "나는 책를 읽었다.")
        XCTAssertEqual(result.repaired[1].record.output, "나는 책을 읽었다.")
        XCTAssertEqual(result.repaired[0].record, data.records[0].record)
        XCTAssertEqual(result.candidates.map(\.hit.index), [1, 3, 4])
        XCTAssertEqual(GrammarClass.allCases.map { result.count($0) }, [1, 1, 1, 0])
        XCTAssertEqual(result.hits(.error, in: .instruction), 2)
        XCTAssertEqual(result.hits(.error, in: .output), 2)
        XCTAssertEqual(result.hits(.grammar), 1)
        XCTAssertEqual(result.repairedCount, 1)
        XCTAssertEqual(result.repairs(by: .particle), 1)
    }
}
