import Testing
@testable import Perceptron

@Test func blasProductOfTwoByTwoMatchesHandComputation() throws {
    let a = try Matrix<Float>([[1, 2], [3, 4]])
    let b = try Matrix<Float>([[5, 6], [7, 8]])
    let c = try defaultBackend().matmul(a, b)
    #expect(c == (try Matrix<Float>([[19, 22], [43, 50]])))
}
