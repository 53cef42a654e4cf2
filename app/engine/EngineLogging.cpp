#include "EngineLogging.h"

Q_LOGGING_CATEGORY(lcEngine, "gpudeck.engine", QtWarningMsg)
