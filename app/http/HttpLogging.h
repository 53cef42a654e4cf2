#pragma once

#include <QLoggingCategory>

// Request lines and statuses only: bodies can carry credentials (X-Registry-Auth) and are never logged.
Q_DECLARE_LOGGING_CATEGORY(lcHttp)
