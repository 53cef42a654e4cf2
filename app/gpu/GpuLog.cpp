#include "GpuLog.h"

Q_LOGGING_CATEGORY(lcGpu, "gpudeck.gpu", QtWarningMsg)
