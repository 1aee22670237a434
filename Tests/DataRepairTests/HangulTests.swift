import XCTest
@testable import ch01_data_repair
import Repro

final class HangulTests: XCTestCase {
    func testFinalConsonantBySyllableArithmetic() {
        XCTAssertEqual(Hangul.finalConsonantIndex(of: "가"), 0)           // U+AC00, the first syllable
        XCTAssertEqual(Hangul.finalConsonantIndex(of: "각"), 1)           // ㄱ
        XCTAssertEqual(Hangul.finalConsonantIndex(of: "책"), 1)
        XCTAssertEqual(Hangul.finalConsonantIndex(of: "울"), Hangul.finalRieul)
        XCTAssertEqual(Hangul.finalConsonantIndex(of: "힣"), 27)          // U+D7A3, the last: ㅎ
        XCTAssertNil(Hangul.finalConsonantIndex(of: "A"))
        XCTAssertNil(Hangul.finalConsonantIndex(of: "ㄱ"))                // a compatibility jamo, not a syllable
    }

    func testEditDistanceAndNormalisation() {
        XCTAssertEqual(EditDistance.characters(Array("kitten"), Array("sitting")), 3)
        XCTAssertEqual(EditDistance.characters(Array("가던"), Array("갔던")), 1)
        XCTAssertEqual(EditDistance.characters([], Array("abc")), 3)
        XCTAssertEqual(TextCompare.normalizedDistance("파티에 늦었습니다.", "\"파티에  늦었습니다\""), 0)
        XCTAssertEqual(TextCompare.normalizedDistance("가나다라", "가나다마"), 0.25)
        XCTAssertEqual(TextCompare.normalizedDistance("", ""), 0)
    }

    func testEojeolCoresLeavePunctuationOutside() {
        let words = "\"그는 책을, 읽었다.\"".eojeols
        XCTAssertEqual(words.map { String($0.core) }, ["그는", "책을", "읽었다"])
    }
}
