import XCTest
import Dispatch
import Tensor
@testable import Repro
import Plumbing

final class TokenizerBehaviourTests: XCTestCase {
    var tokenizer: BPETokenizer!

    override func setUpWithError() throws {
        tokenizer = try BPETokenizer(contentsOf: "\(fixtures)/trained_polyglot_layout.json")
    }

    func testSpecialTokensAreMatchedWholeAndNeverSplit() {
        XCTAssertEqual(tokenizer.encode("<|endoftext|>"), [2])
        XCTAssertEqual(tokenizer.encode("<|sep|><|endoftext|><|rrn|>"), [3, 2, 599])
        let ids = tokenizer.encode("질문<|sep|>답변<|endoftext|>")
        XCTAssertEqual(ids.filter { $0 == 3 || $0 == 2 }, [3, 2])
        XCTAssertEqual(ids.last, 2)
        XCTAssertEqual(tokenizer.decode(ids), "질문<|sep|>답변<|endoftext|>")
        XCTAssertEqual(tokenizer.decode(ids, skipSpecialTokens: true), "질문답변")
        // Near misses are ordinary text: several ids, none of them special.
        let nearMiss = tokenizer.encode("<|endoftext|")
        XCTAssertGreaterThan(nearMiss.count, 1)
        XCTAssertFalse(nearMiss.contains { [0, 1, 2, 3, 597, 598, 599].contains($0) })
        XCTAssertEqual(tokenizer.encode(""), [])
    }

    /// decode(encode(s)) gives back s byte for byte on random text from many scripts, whitespace kinds, marks,
    /// emoji and special tokens. (Polyglot-Ko's pre-tokenizer deletes "ೱ", so it is deleted from the expectation.)
    func testEncodeDecodeRoundTripOnRandomText() {
        let pools: [[UInt32]] = [
            Array(0x20...0x7E), [0x09, 0x0A, 0x0D, 0x0B, 0x0C, 0x20, 0x20, 0x20, 0x85, 0xA0, 0x3000, 0x2028],
            Array(0xAC00...0xAC40), Array(0x3131...0x3163), Array(0x1100...0x1112), [0x301, 0x308, 0x200D, 0xFE0F],
            Array(0x1F600...0x1F64F), Array(0x4E00...0x4E40), Array(0x0CF0...0x0CF2), [0x27, 0x73, 0x6C, 0x6C, 0x27],
            Array(0x0660...0x0669), [0x00, 0x01, 0x1F, 0x7F, 0xAD, 0xFEFF, 0x10FFFF, 0xFFFD],
        ]
        let specials = ["<|endoftext|>", "<|sep|>", "<pad>", "<|acc|>"]
        var rng = SeededRandom(seed: 2023)
        for _ in 0..<300 {
            var text = ""
            for _ in 0..<rng.below(60) {
                if rng.below(25) == 0 { text += specials[rng.below(specials.count)]; continue }
                let pool = pools[rng.below(pools.count)]
                text.unicodeScalars.append(Unicode.Scalar(pool[rng.below(pool.count)])!)
            }
            let ids = tokenizer.encode(text)
            XCTAssertTrue(ids.allSatisfy { $0 >= 0 && Int($0) < tokenizer.vocabularySize })
            let expected = text.unicodeScalars.filter { $0 != "\u{0CF1}" }
            XCTAssertEqual(Array(tokenizer.decode(ids).unicodeScalars), Array(expected), text.debugDescription)
        }
    }

    /// The word cache must not confuse canonically equivalent strings (é precomposed and e + U+0301), which Swift's
    /// String equality treats as equal but which are different bytes and different ids.
    func testCanonicallyEquivalentWordsKeepTheirOwnIds() {
        let composed = tokenizer.encode("caf\u{E9}"), decomposed = tokenizer.encode("cafe\u{301}")
        XCTAssertNotEqual(composed, decomposed)
        XCTAssertEqual(tokenizer.encode("caf\u{E9}"), composed)
        XCTAssertEqual(Array(tokenizer.decode(decomposed).unicodeScalars), Array("cafe\u{301}".unicodeScalars))
    }

    func testTrainSaveReloadGivesTheSameIdsAndBytes() throws {
        let lines = try corpusLines()
        let trained = try BPETokenizer.train(texts: lines, vocabSize: 384)
        XCTAssertEqual(trained.vocabularySize, 384)
        XCTAssertEqual(trained.id(of: "<|endoftext|>"), 2)
        XCTAssertEqual(trained.id(of: "<|sep|>"), 3)
        XCTAssertEqual(trained.id(of: "<|rrn|>"), 383)
        let path = NSTemporaryDirectory() + "tokenizer-\(getpid()).json"
        defer { unlink(path) }
        try trained.save(to: path)
        let reloaded = try BPETokenizer(contentsOf: path)
        for line in lines + ["처음 보는 문장도 <|endoftext|> 됩니다 🙂"] {
            XCTAssertEqual(reloaded.encode(line), trained.encode(line), line)
        }
        XCTAssertEqual(reloaded.huggingFaceJSON(), trained.huggingFaceJSON())
        // Training is deterministic: a second run writes the same bytes.
        let again = try BPETokenizer.train(texts: lines, vocabSize: 384)
        XCTAssertEqual(Array(again.huggingFaceJSON().serialized(pretty: true).utf8), try FileIO.read(path))
    }

    func testTrainingRejectsAVocabularyTooSmallForTheBytes() {
        XCTAssertThrowsError(try BPETokenizer.train(texts: ["가나다"], vocabSize: 200)) { error in
            XCTAssertTrue("\(error)".contains("256 byte symbols"), "\(error)")
        }
    }

    func testTrainingStopsWhenTheTextRunsOutOfPairs() throws {
        let tokenizer = try BPETokenizer.train(texts: ["ab ab"], vocabSize: 1000)
        // The words "ab" (twice as often) and "Ġab": "a b" wins first, then "Ġ ab"; nothing is left to merge.
        XCTAssertEqual(tokenizer.merges.map { [tokenizer.token(of: $0.0), tokenizer.token(of: $0.1)] },
                       [["a", "b"], ["Ġ", "ab"]])
        XCTAssertEqual(tokenizer.vocabularySize, 4 + 256 + 2 + 3)
        XCTAssertEqual(tokenizer.encode("ab ab").count, 2)
    }
}

final class TokenizerThreadTests: XCTestCase {
    /// The word cache is shared: encoding from several threads at once gives what encoding one line at a time gives.
    func testConcurrentEncodingGivesTheSameIds() throws {
        let tokenizer = try BPETokenizer(contentsOf: "\(fixtures)/trained_polyglot_layout.json")
        let lines = try corpusLines()
        let alone = try BPETokenizer(contentsOf: "\(fixtures)/trained_polyglot_layout.json")
        let serial = lines.map { alone.encode($0) }
        var results = [[[Int32]]](repeating: [], count: 8)
        results.withUnsafeMutableBufferPointer { slots in
            DispatchQueue.concurrentPerform(iterations: 8) { worker in
                slots[worker] = (0..<4).flatMap { round in lines.shuffledDeterministically(seed: worker * 4 + round) }
                    .map { tokenizer.encode($0) }
            }
        }
        for (worker, got) in results.enumerated() {
            let expected = (0..<4).flatMap { round in
                lines.indices.shuffledDeterministically(seed: worker * 4 + round).map { serial[$0] }
            }
            XCTAssertEqual(got, expected, "worker \(worker)")
        }
    }
}

extension Collection {
    func shuffledDeterministically(seed: Int) -> [Element] {
        var rng = SeededRandom(seed: UInt64(seed))
        var items = Array(self)
        rng.shuffle(&items)
        return items
    }
}
