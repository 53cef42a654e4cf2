#pragma once

#include "common/Result.h"

#include <QObject>
#include <QTest>

#include <functional>
#include <optional>

// The answer of one asynchronous engine call (DockerClient's callback style), waited for in the
// event loop with a deadline; a Timeout Error when none came.
template <typename T>
Result<T> await(std::function<void(QObject *, std::function<void(const Result<T> &)>)> call,
                int timeoutMs = 40000)
{
    QObject context;
    std::optional<Result<T>> result;
    call(&context, [&result](const Result<T> &r) { result = r; });
    (void)QTest::qWaitFor([&result]() { return result.has_value(); }, timeoutMs);
    if (!result)
        return Error(Error::Code::Timeout, QStringLiteral("test"),
                     QStringLiteral("no answer in time"));
    return *result;
}
