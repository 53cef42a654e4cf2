#include "HttpLogging.h"

Q_LOGGING_CATEGORY(lcHttp, "gpudeck.http", QtWarningMsg)
