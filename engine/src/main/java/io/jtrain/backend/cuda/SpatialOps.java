package io.jtrain.backend.cuda;

import io.jtrain.backend.BatchNormTensors;
import io.jtrain.backend.ConvSpec;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;

/**
 * Convolution, pooling and batch norm on the GPU: cuDNN ({@link Cudnn}) or our kernels ({@link CudaConv}),
 * chosen once when the backend opens. Shapes and accumulation rules are those of the {@code Backend} ops
 * of the same names (x and y NCHW; dw, db, dGamma and dBeta accumulate; dx is overwritten).
 */
interface SpatialOps {
    /** Workspace floats one convolution of these shapes needs. */
    long workspaceElements(Shape x, Shape w, ConvSpec s);

    void convForward(Tensor x, Tensor w, Tensor b, Tensor y, ConvSpec s, Tensor ws);

    void convBackwardData(Tensor dy, Tensor w, Tensor dx, ConvSpec s, Tensor ws);

    void convBackwardFilter(Tensor x, Tensor dy, Tensor dw, Tensor db, ConvSpec s, Tensor ws);

    void maxPoolForward(Tensor x, Tensor y, ConvSpec s);

    void maxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, ConvSpec s);

    void avgPoolForward(Tensor x, Tensor y, ConvSpec s);

    void batchNormTraining(Tensor x, Tensor y, BatchNormTensors bn, float momentum, float eps);

    void batchNormInference(Tensor x, Tensor y, BatchNormTensors bn, float eps);

    void batchNormBackward(Tensor x, Tensor dy, Tensor dx, BatchNormTensors bn);
}
