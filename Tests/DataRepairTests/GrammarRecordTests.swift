import Repro
import XCTest
@testable import ch01_data_repair

/// One hand-written Korean record per class and per path through the rule.
final class ClassificationTests: XCTestCase {
    func classify(_ instruction: String, _ input: String, _ output: String) -> Classification {
        GrammarRecords.classify(InstructionRecord(instruction: instruction, input: input, output: output))
    }

    func assertClass(_ c: Classification, _ expected: GrammarClass, _ reasonPart: String, line: UInt = #line) {
        XCTAssertEqual(c.grammarClass, expected, c.reason, line: line)
        XCTAssertTrue(c.reason.contains(reasonPart), "\(c.reason) lacks \(reasonPart)", line: line)
    }

    // (a) a correction task whose sentence is already correct

    func testAnswerEqualToInputIsAlreadyCorrect() {
        assertClass(classify("다음 문장의 문법 오류를 수정하세요.", "나는 어제 책을 읽었다.", "나는 어제 책을  읽었다"),
                    .alreadyCorrect, "equals the input")
    }

    func testAnswerWithinOneCharacterInTenIsAlreadyCorrect() {
        // 간다 → 갔다: one syllable in twelve.
        assertClass(classify("문장의 문법을 고치세요.", "우리는 내일 아침 학교에 간다", "우리는 내일 아침 학교에 갔다."),
                    .alreadyCorrect, "0.08")
    }

    func testAnswerSayingNothingToFixIsAlreadyCorrect() {
        assertClass(classify("문장의 맞춤법을 교정하세요.", "그는 학교에 갔습니다.", "이 문장에는 고칠 부분이 없습니다."),
                    .alreadyCorrect, "nothing to fix")
    }

    func testQuotedCorrectionEqualToInputIsAlreadyCorrect() {
        // KoAlpaca record 141 has this shape: "change X into <the input>".
        assertClass(classify("다음 문장을 수정하여 문법 오류를 수정합니다.", "파티에 늦었습니다.",
                             "\"파티에 늦어버렸습니다.\"을 \"파티에 늦었습니다.\"로 수정해주세요."),
                    .alreadyCorrect, "last quoted sentence")
    }

    func testRearrangementAlreadyInOrderIsAlreadyCorrect() {
        assertClass(classify("단어들을 배열하여 문법적으로 올바른 문장을 만드세요.", "고양이가 생선을 먹었습니다.", "고양이가 생선을 먹었다."),
                    .alreadyCorrect, "word order")
    }

    func testSentenceInsideTheInstruction() {
        let record = InstructionRecord(instruction: "다음 문장의 문법 오류를 고치세요: 그는 책을 읽었다.", input: "", output: "그는 책을 읽었다.")
        let c = GrammarRecords.classify(record)
        XCTAssertEqual(c.grammarClass, .alreadyCorrect)
        guard case .instruction(let range)? = c.source else { return XCTFail("expected the instruction as source") }
        XCTAssertEqual(record.instruction[range], "그는 책을 읽었다.")
    }

    // (b) detection and judgement

    func testDetectionTasksAreKept() {
        assertClass(classify("이 문장에 문법 오류가 있는지 확인하세요.", "나는 밥을 먹었다.", "오류가 없습니다."), .detection, "있는지")
        assertClass(classify("이 문장이 문법적으로 올바른가요?", "나는 밥을 먹었다.", "네, 올바릅니다."), .detection, "올바른가")
    }

    func testFindAndFixIsACorrectionNotADetection() {
        assertClass(classify("문장에서 문법 오류를 찾아 수정하세요.", "나는 밥을 먹었다.", "나는 밥을 먹었다."), .alreadyCorrect, "수정")
    }

    // (c) unrelated uses of the words

    func testOtherSensesAreUnrelated() {
        assertClass(classify("다음 주장에서 논리적 오류를 찾아 수정하세요.", "모두가 그렇게 한다.", "..."), .unrelated, "논리적 오류")
        assertClass(classify("다음 코드의 오류를 수정하세요.", "print(1", "print(1)"), .unrelated, "코드")
        assertClass(classify("치아 교정의 장단점을 설명하세요.", "", "..."), .unrelated, "치아")
        assertClass(classify("디버거란 무엇인가요?", "", "디버거는 오류를 찾는 도구입니다."), .unrelated, "only in the input or output")
        assertClass(classify("문법 오류를 줄이는 방법을 알려주세요.", "", "많이 읽으세요."), .unrelated, "no sentence")
        assertClass(classify("다음 단어의 문법적 특징을 설명하세요.", "먹다", "동사입니다."), .unrelated, "neither")
    }

    // (d) a correction that really rewrites

    func testRealRewriteIsKeptForAHuman() {
        assertClass(classify("다음 문장의 문법 오류를 수정하세요.", "그녀는 가게에 물품을 사러 왔습니다.", "그녀는 물건을 사러 매장에 왔습니다."),
                    .rewritten, "changes the sentence")
        // Quoting the input as the wrong side of "X를 Y로" is a real correction, not an equality.
        assertClass(classify("문장을 교정하세요.", "나는 학교를 갔다.", "\"나는 학교를 갔다.\"를 \"나는 학교에 갔다.\"로 고치세요."),
                    .rewritten, "0.14")
    }

    // Finding

    func testKeywordHitsByField() throws {
        let item = IndexedRecord(index: 7, record: InstructionRecord(instruction: "문법을 설명하세요", input: "오류", output: "문법과 오류"))
        let hit = try XCTUnwrap(GrammarRecords.hit(item))
        XCTAssertEqual(hit.index, 7)
        XCTAssertEqual(hit.label, "오류(input,output) 문법(instruction,output)")
        XCTAssertNil(GrammarRecords.hit(IndexedRecord(index: 0, record: InstructionRecord(instruction: "안녕", input: "", output: "네"))))
    }
}
