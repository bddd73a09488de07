import ArgumentParser
import Perceptron

/// The point where every rank of a data-parallel run (`mpirun -np N perceptron train …`) learns
/// whether all ranks are ready to train: each rank loads its model and data on its own, and a
/// rank that cannot must stop the others (they would otherwise wait for it in the first
/// collective). One allreduce of a failure flag, called once per rank: ``ready()`` after the
/// setup, or ``failed(_:)`` from the setup's error path. In a world of one it does nothing.
final class StartAgreement {
    let world: Communicator
    private var agreed = false

    init(world: Communicator) { self.world = world }

    /// Joins the agreement as ready.
    /// - Throws: ``CLIError`` naming how many ranks could not start, if any could not.
    func ready() throws {
        let failed = try join(failed: false)
        guard failed == 0 else {
            throw CLIError(
                "rank \(world.rank): stopping: \(failed) of \(world.size) ranks could not start training (their messages say why)")
        }
    }

    /// Joins the agreement as failed, if this rank had not joined yet (its setup failed), and
    /// returns `error`, naming this rank when there are several; returns `nil` when the rank had
    /// already joined (the failure came later, from training every rank shares). In a world of
    /// one, returns `error`.
    func failed(_ error: any Error) -> (any Error)? {
        guard world.size > 1 else { return error }
        guard !agreed else { return nil }
        _ = try? join(failed: true)
        return CLIError("rank \(world.rank) of \(world.size): \(error)")
    }

    private func join(failed: Bool) throws -> Int {
        agreed = true
        guard world.size > 1 else { return 0 }
        var flag = [failed ? 1.0 : 0.0]
        try world.allreduceSum(&flag)
        return Int(flag[0])
    }
}
