#include "launch/LaunchForm.h"

#include "common/ShellWords.h"
#include "widgets/Icons.h"
#include "widgets/StatusColors.h"

#include "launch/PortMapping.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QStyle>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <unistd.h>

namespace {

const char *const kFields[] = {"image",        "command",       "env",         "runtime",
                               "deviceDriver", "containerName", "networkMode", "shmSize",
                               "ipcMode",      "ports",         "user",        "workdir",
                               "entrypoint",   "ulimits"};

// The entrypoint field: empty keeps the image's; '' (an empty word) replaces it with nothing.
std::optional<QStringList> entrypointOf(const QStringList &words)
{
    if (words.isEmpty())
        return std::nullopt;
    if (words == QStringList{QString()})
        return QStringList();
    return words;
}

enum PortColumn { ContainerPortColumn, HostPortColumn, AddressColumn };

QComboBox *editableCombo(QWidget *parent, const char *name, const QStringList &items)
{
    auto *combo = new QComboBox(parent);
    combo->setObjectName(QLatin1String(name));
    combo->setEditable(true);
    combo->addItems(items);
    combo->setInsertPolicy(QComboBox::NoInsert);
    return combo;
}

} // namespace

LaunchForm::LaunchForm(QWidget *parent)
    : QWidget(parent),
      m_image(new QLineEdit(this)),
      m_command(new QLineEdit(this)),
      m_env(new QTableWidget(0, 2, this)),
      m_ports(new QTableWidget(0, 3, this)),
      m_runtime(new QComboBox(this)),
      m_driver(new QComboBox(this)),
      m_name(new QLineEdit(this)),
      m_network(editableCombo(this, "networkCombo",
                              {QString(), QStringLiteral("none"), QStringLiteral("host"),
                               QStringLiteral("bridge")})),
      m_shm(new QLineEdit(this)),
      m_ipc(editableCombo(this, "ipcCombo",
                          {QString(), QStringLiteral("private"), QStringLiteral("shareable"),
                           QStringLiteral("host"), QStringLiteral("none")})),
      m_user(new QLineEdit(this)),
      m_asMe(new QPushButton(tr("As &me"), this)),
      m_workdir(new QLineEdit(this)),
      m_entrypoint(new QLineEdit(this)),
      m_ulimits(new QLineEdit(this)),
      m_autoRemove(new QCheckBox(tr("&Remove the container when it exits (--rm)"), this)),
      m_interactive(new QCheckBox(tr("Interacti&ve (-i)"), this)),
      m_tty(new QCheckBox(tr("Allocate a &TTY (-t)"), this)),
      m_launch(new QPushButton(Icons::get(QStringLiteral("launch")), tr("&Launch"), this)),
      m_stop(new QPushButton(Icons::get(QStringLiteral("stop")), tr("&Stop"), this)),
      m_issues(new QLabel(this)),
      m_notice(new QLabel(this))
{
    setObjectName(QStringLiteral("launchForm"));
    m_image->setObjectName(QStringLiteral("imageEdit"));
    m_image->setPlaceholderText(tr("nvidia/cuda:12.4.1-base-ubuntu22.04"));
    m_image->setToolTip(tr("The image to run; pick one from the list or type a reference"));
    m_command->setObjectName(QStringLiteral("commandEdit"));
    m_command->setPlaceholderText(tr("the image's default command, e.g. nvidia-smi"));
    m_command->setToolTip(tr("Split into arguments as a shell would: quote with '…' or \"…\"; no "
                             "variables or globs are expanded"));
    m_env->setObjectName(QStringLiteral("envTable"));
    m_env->setAccessibleName(tr("Environment variables"));
    m_env->setHorizontalHeaderLabels({tr("Variable"), tr("Value")});
    m_env->horizontalHeader()->setStretchLastSection(true);
    // Names such as NVIDIA_DRIVER_CAPABILITIES are read whole; the value takes the rest.
    m_env->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_env->verticalHeader()->hide();
    m_env->setToolTip(tr("Environment variables for the container (-e KEY=value)"));
    m_env->setMinimumHeight(70);
    m_env->setMaximumHeight(100);
    m_env->setTabKeyNavigation(false);
    m_ports->setObjectName(QStringLiteral("portTable"));
    m_ports->setHorizontalHeaderLabels({tr("Container port"), tr("Host port"), tr("Published on")});
    m_ports->horizontalHeader()->setStretchLastSection(true);
    m_ports->verticalHeader()->hide();
    m_ports->setToolTip(
        tr("Ports of the container to publish on the engine's host (-p): a port or a range "
           "such as 8888, 8000-8010 or 53/udp; an empty host port lets the engine pick one. "
           "This machine only (127.0.0.1) keeps a notebook's token off the network"));
    m_ports->setMinimumHeight(70);
    m_ports->setMaximumHeight(120); // rows hold an address box: room for three
    m_ports->setTabKeyNavigation(false);
    m_runtime->setObjectName(QStringLiteral("runtimeCombo"));
    m_runtime->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_runtime->addItem(tr("default"), QString());
    m_runtime->setToolTip(tr("The OCI runtime the engine starts the container with (--runtime)"));
    m_driver->setObjectName(QStringLiteral("driverCombo"));
    m_driver->addItem(tr("automatic"), QString());
    m_driver->addItem(QStringLiteral("nvidia"), QStringLiteral("nvidia"));
    m_driver->addItem(QStringLiteral("cdi"), QStringLiteral("cdi"));
    m_driver->setToolTip(tr("Who hands out the GPUs: automatic lets the engine pick by capability "
                            "(the NVIDIA Container Toolkit); cdi asks for CDI device names"));
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_name->setPlaceholderText(tr("chosen by the engine"));
    m_name->setToolTip(tr("The container's name (--name)"));
    m_network->setToolTip(tr("The container's network (--network); empty is the engine's default"));
    m_shm->setObjectName(QStringLiteral("shmEdit"));
    m_shm->setPlaceholderText(tr("engine default (64m)"));
    m_shm->setToolTip(tr("Size of /dev/shm (--shm-size), e.g. 1g; PyTorch data loaders often "
                         "need more than the default"));
    m_ipc->setToolTip(tr("The IPC namespace (--ipc): private, shareable, host, none or "
                         "container:NAME"));
    m_user->setObjectName(QStringLiteral("userEdit"));
    m_user->setPlaceholderText(tr("the image's user"));
    m_user->setToolTip(tr("Who the process runs as (--user): a name or UID, with :GROUP or :GID. "
                          "As me: files it writes to bind mounts are yours, not root's"));
    m_asMe->setObjectName(QStringLiteral("asMeButton"));
    m_asMe->setToolTip(
        tr("Run as this desktop's user and group (%1:%2)").arg(::getuid()).arg(::getgid()));
    m_workdir->setObjectName(QStringLiteral("workdirEdit"));
    m_workdir->setPlaceholderText(tr("the image's"));
    m_workdir->setToolTip(tr("The working directory inside the container (-w)"));
    m_entrypoint->setObjectName(QStringLiteral("entrypointEdit"));
    m_entrypoint->setPlaceholderText(tr("the image's"));
    m_entrypoint->setToolTip(tr("Replaces the image's entrypoint (--entrypoint), split as the "
                                "command is; '' runs the command without one"));
    m_ulimits->setObjectName(QStringLiteral("ulimitsEdit"));
    m_ulimits->setPlaceholderText(QStringLiteral("memlock=-1 stack=67108864"));
    m_ulimits->setToolTip(tr("Resource limits (--ulimit), NAME=SOFT[:HARD] separated by blanks; "
                             "NVIDIA's framework images ask for memlock=-1 stack=67108864"));
    m_autoRemove->setObjectName(QStringLiteral("autoRemoveCheck"));
    m_autoRemove->setChecked(true);
    m_autoRemove->setToolTip(tr("Off keeps the exited container for inspection, as docker run "
                                "does without --rm"));
    m_interactive->setObjectName(QStringLiteral("interactiveCheck"));
    m_interactive->setToolTip(tr("Keep the container's stdin open and type into it; with a TTY "
                                 "(docker run -it) its terminal opens in the tab"));
    m_tty->setObjectName(QStringLiteral("ttyCheck"));
    m_tty->setToolTip(tr("Run with a terminal: programs print colours and redraw (nvidia-smi -l); "
                         "stdout and stderr are then one stream"));
    m_launch->setObjectName(QStringLiteral("launchButton"));
    m_launch->setToolTip(tr("Launch the container (Ctrl+Return)"));
    m_launch->setDefault(true);
    m_stop->setObjectName(QStringLiteral("stopButton"));
    m_stop->setToolTip(tr("Stop the container of the log in front (Esc)"));
    m_stop->setEnabled(false);
    m_issues->setObjectName(QStringLiteral("formIssues"));
    m_issues->setWordWrap(true);
    m_issues->setStyleSheet(StatusColors::styleSheet(StatusColors::Tone::Error, m_issues));
    m_issues->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_notice->setObjectName(QStringLiteral("launchNotice"));
    m_notice->setWordWrap(true);
    m_notice->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_notice->hide();
    m_issues->hide();

    // A table with add and remove buttons beside it.
    struct TableRow
    {
        QHBoxLayout *layout;
        QToolButton *add;
        QToolButton *remove;
    };
    const auto tableRow = [this](QTableWidget *table, const char *name, const QString &addTip,
                                 const QString &removeTip) {
        TableRow row{new QHBoxLayout, new QToolButton(this), new QToolButton(this)};
        row.add->setObjectName(QLatin1String(name) + QStringLiteral("Add"));
        row.add->setIcon(Icons::get(QStringLiteral("add")));
        row.add->setToolTip(addTip);
        row.remove->setObjectName(QLatin1String(name) + QStringLiteral("Remove"));
        row.remove->setIcon(Icons::get(QStringLiteral("remove")));
        row.remove->setToolTip(removeTip);
        auto *buttons = new QVBoxLayout;
        buttons->addWidget(row.add);
        buttons->addWidget(row.remove);
        buttons->addStretch(1);
        row.layout->addWidget(table, 1);
        row.layout->addLayout(buttons);
        return row;
    };
    const TableRow envRow = tableRow(m_env, "env", tr("Add a variable"),
                                     tr("Remove the selected variable"));
    const TableRow portRow = tableRow(m_ports, "port", tr("Publish a port"),
                                      tr("Remove the selected port"));

    const auto pair = [this](QWidget *left, const QString &label, QWidget *right) {
        auto *row = new QHBoxLayout;
        row->addWidget(left, 1);
        auto *l = new QLabel(label, this);
        l->setBuddy(right);
        row->addSpacing(8);
        row->addWidget(l);
        row->addWidget(right, 1);
        return row;
    };

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("&Image:"), m_image);
    form->addRow(tr("&Command:"), m_command);
    // Labels of layout rows get no buddy from QFormLayout: set it, or "&" shows as is.
    const auto row = [form, this](const QString &label, QWidget *buddy, QLayout *fields) {
        auto *l = new QLabel(label, this);
        l->setBuddy(buddy);
        form->addRow(l, fields);
    };
    row(tr("&Environment:"), m_env, envRow.layout);
    row(tr("P&orts:"), m_ports, portRow.layout);
    row(tr("R&untime:"), m_runtime, pair(m_runtime, tr("&Device driver:"), m_driver));
    row(tr("&Name:"), m_name, pair(m_name, tr("Net&work:"), m_network));
    row(tr("S&hared memory:"), m_shm, pair(m_shm, tr("I&PC:"), m_ipc));
    auto *userFields = new QHBoxLayout;
    userFields->addWidget(m_user, 1);
    userFields->addWidget(m_asMe);
    auto *workdirLabel = new QLabel(tr("Wor&kdir:"), this);
    workdirLabel->setBuddy(m_workdir);
    userFields->addSpacing(8);
    userFields->addWidget(workdirLabel);
    userFields->addWidget(m_workdir, 1);
    row(tr("Run &as:"), m_user, userFields);
    row(tr("Entr&ypoint:"), m_entrypoint, pair(m_entrypoint, tr("Uli&mits:"), m_ulimits));
    for (const char *field : kFields) {
        if (QWidget *w = fieldWidget(QLatin1String(field)))
            m_tips.insert(QLatin1String(field), w->toolTip());
    }

    // Two rows, so that the three boxes side by side do not widen the form on a laptop screen.
    auto *options = new QGridLayout;
    options->addWidget(m_autoRemove, 0, 0, 1, 2);
    options->addWidget(m_interactive, 1, 0);
    options->addWidget(m_tty, 1, 1);
    options->setColumnStretch(2, 1);

    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_stop);
    buttons->addWidget(m_launch);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(form);
    layout->addLayout(options);
    layout->addWidget(m_issues);
    layout->addStretch(1);
    layout->addWidget(m_notice);
    layout->addLayout(buttons);

    const auto edited = [this](const QString &field) {
        return [this, field]() {
            touch(field);
            emit changed();
        };
    };
    connect(m_image, &QLineEdit::textEdited, this, edited(QStringLiteral("image")));
    connect(m_command, &QLineEdit::textEdited, this, edited(QStringLiteral("command")));
    connect(m_name, &QLineEdit::textEdited, this, edited(QStringLiteral("containerName")));
    connect(m_shm, &QLineEdit::textEdited, this, edited(QStringLiteral("shmSize")));
    connect(m_ipc, &QComboBox::editTextChanged, this, edited(QStringLiteral("ipcMode")));
    connect(m_network, &QComboBox::editTextChanged, this, edited(QStringLiteral("networkMode")));
    connect(m_runtime, &QComboBox::currentIndexChanged, this, edited(QStringLiteral("runtime")));
    connect(m_driver, &QComboBox::currentIndexChanged, this,
            edited(QStringLiteral("deviceDriver")));
    connect(m_env, &QTableWidget::itemChanged, this, edited(QStringLiteral("env")));
    connect(m_ports, &QTableWidget::itemChanged, this, edited(QStringLiteral("ports")));
    connect(m_autoRemove, &QCheckBox::toggled, this, &LaunchForm::changed);
    connect(m_tty, &QCheckBox::toggled, this, &LaunchForm::changed);
    connect(m_interactive, &QCheckBox::toggled, this, &LaunchForm::changed);
    connect(m_user, &QLineEdit::textEdited, this, edited(QStringLiteral("user")));
    connect(m_workdir, &QLineEdit::textEdited, this, edited(QStringLiteral("workdir")));
    connect(m_entrypoint, &QLineEdit::textEdited, this, edited(QStringLiteral("entrypoint")));
    connect(m_ulimits, &QLineEdit::textEdited, this, edited(QStringLiteral("ulimits")));
    connect(m_asMe, &QPushButton::clicked, this, [this]() {
        m_user->setText(QStringLiteral("%1:%2").arg(::getuid()).arg(::getgid()));
        touch(QStringLiteral("user"));
        emit changed();
    });
    connect(m_image, &QLineEdit::returnPressed, this, &LaunchForm::launchRequested);
    connect(m_command, &QLineEdit::returnPressed, this, &LaunchForm::launchRequested);
    connect(m_launch, &QPushButton::clicked, this, &LaunchForm::launchRequested);
    connect(m_stop, &QPushButton::clicked, this, &LaunchForm::stopRequested);
    connect(envRow.add, &QToolButton::clicked, this, [this]() {
        addEnvRow();
        m_env->setCurrentCell(m_env->rowCount() - 1, 0);
        m_env->editItem(m_env->item(m_env->rowCount() - 1, 0));
    });
    connect(portRow.add, &QToolButton::clicked, this, [this]() {
        addPortRow();
        m_ports->setCurrentCell(m_ports->rowCount() - 1, ContainerPortColumn);
        m_ports->editItem(m_ports->item(m_ports->rowCount() - 1, ContainerPortColumn));
    });
    connect(portRow.remove, &QToolButton::clicked, this, [this]() {
        if (m_ports->currentRow() >= 0) {
            m_ports->removeRow(m_ports->currentRow());
            touch(QStringLiteral("ports"));
            emit changed();
        }
    });
    connect(envRow.remove, &QToolButton::clicked, this, [this]() {
        if (m_env->currentRow() >= 0) {
            m_env->removeRow(m_env->currentRow());
            touch(QStringLiteral("env"));
            emit changed();
        }
    });
}

void LaunchForm::addEnvRow(const QString &key, const QString &value)
{
    const int row = m_env->rowCount();
    m_env->insertRow(row);
    m_env->setItem(row, 0, new QTableWidgetItem(key));
    m_env->setItem(row, 1, new QTableWidgetItem(value));
}

void LaunchForm::addPortRow(const QString &containerPort, const QString &hostPort,
                            const QString &address)
{
    const int row = m_ports->rowCount();
    m_ports->insertRow(row);
    m_ports->setItem(row, ContainerPortColumn, new QTableWidgetItem(containerPort));
    m_ports->setItem(row, HostPortColumn, new QTableWidgetItem(hostPort));
    auto *where = new QComboBox(m_ports);
    where->setObjectName(QStringLiteral("portAddress"));
    where->addItem(tr("this machine only (%1)").arg(PortMapping::loopback()),
                   PortMapping::loopback());
    where->addItem(tr("all interfaces (anyone on the network)"), QString());
    where->setToolTip(
        tr("Where the engine's host listens for this port: all interfaces lets anyone who "
           "reaches the host use it, as docker's own default does"));
    int index = where->findData(address);
    if (index < 0) {
        where->addItem(address, address);
        index = where->count() - 1;
    }
    where->setCurrentIndex(index);
    m_ports->setCellWidget(row, AddressColumn, where);
    connect(where, &QComboBox::currentIndexChanged, this, [this]() {
        touch(QStringLiteral("ports"));
        emit changed();
    });
}

QStringList LaunchForm::portEntries() const
{
    QStringList entries;
    for (int row = 0; row < m_ports->rowCount(); ++row) {
        const auto text = [this, row](int column) {
            return m_ports->item(row, column) ? m_ports->item(row, column)->text().trimmed()
                                              : QString();
        };
        const QString container = text(ContainerPortColumn);
        const QString host = text(HostPortColumn);
        const auto *where = qobject_cast<QComboBox *>(m_ports->cellWidget(row, AddressColumn));
        const QString address = where ? where->currentData().toString() : QString();
        if (container.isEmpty() && host.isEmpty())
            continue;
        // The -p entry: IP:HOST:CONTAINER, IP::CONTAINER, HOST:CONTAINER or CONTAINER.
        QString entry = container;
        if (!address.isEmpty())
            entry = (address.contains(QLatin1Char(':'))
                         ? QLatin1Char('[') + address + QLatin1Char(']')
                         : address)
                    + QLatin1Char(':') + host + QLatin1Char(':') + container;
        else if (!host.isEmpty())
            entry = host + QLatin1Char(':') + container;
        entries << entry;
    }
    return entries;
}

void LaunchForm::touch(const QString &field)
{
    m_touched.insert(field);
}

void LaunchForm::fillSpec(LaunchSpec *spec, QList<ValidationIssue> *issues) const
{
    spec->image = m_image->text().trimmed();
    const Result<QStringList> command = ShellWords::split(m_command->text());
    if (command)
        spec->command = command.value();
    else
        issues->append({QStringLiteral("command"), command.error().message()});
    spec->env.clear();
    for (int row = 0; row < m_env->rowCount(); ++row) {
        const QString key = m_env->item(row, 0) ? m_env->item(row, 0)->text().trimmed() : QString();
        const QString value = m_env->item(row, 1) ? m_env->item(row, 1)->text() : QString();
        if (key.isEmpty() && value.isEmpty())
            continue;
        spec->env.append(key + QLatin1Char('=') + value);
    }
    spec->runtime = m_runtime->currentData().toString();
    spec->deviceDriver = m_driver->currentData().toString();
    spec->containerName = m_name->text().trimmed();
    spec->networkMode = m_network->currentText().trimmed();
    spec->ports = portEntries();
    spec->shmSize = m_shm->text().trimmed();
    spec->ipcMode = m_ipc->currentText().trimmed();
    spec->user = m_user->text().trimmed();
    spec->workdir = m_workdir->text().trimmed();
    if (const Result<QStringList> entrypoint = ShellWords::split(m_entrypoint->text()); entrypoint)
        spec->entrypoint = entrypointOf(entrypoint.value());
    else
        issues->append({QStringLiteral("entrypoint"), entrypoint.error().message()});
    spec->ulimits = m_ulimits->text().split(QRegularExpression(QStringLiteral("[\\s,]+")),
                                            Qt::SkipEmptyParts);
    spec->autoRemove = m_autoRemove->isChecked();
    spec->interactive = m_interactive->isChecked();
    spec->tty = m_tty->isChecked();
}

void LaunchForm::setSpec(const LaunchSpec &spec)
{
    const QSignalBlocker blockImage(m_image);
    m_image->setText(spec.image);
    m_command->setText(ShellWords::join(spec.command));
    {
        const QSignalBlocker blockEnv(m_env);
        m_env->setRowCount(0);
        for (const QString &entry : spec.env) {
            const qsizetype eq = entry.indexOf(QLatin1Char('='));
            addEnvRow(eq < 0 ? entry : entry.left(eq), eq < 0 ? QString() : entry.mid(eq + 1));
        }
    }
    {
        const QSignalBlocker blockPorts(m_ports);
        m_ports->setRowCount(0);
        for (const QString &entry : spec.ports) {
            const Result<PortMapping> parsed = PortMapping::parse(entry);
            if (!parsed) {
                // shown as written, flagged by the validator
                addPortRow(entry, QString(), QString());
                continue;
            }
            addPortRow(parsed.value().containerPorts(), parsed.value().hostPorts(),
                       parsed.value().hostIp);
        }
    }
    int runtime = m_runtime->findData(spec.runtime);
    if (runtime < 0) {
        m_runtime->addItem(spec.runtime, spec.runtime);
        runtime = m_runtime->count() - 1;
    }
    m_runtime->setCurrentIndex(runtime);
    m_driver->setCurrentIndex(qMax(0, m_driver->findData(spec.deviceDriver)));
    m_name->setText(spec.containerName);
    m_network->setEditText(spec.networkMode);
    m_shm->setText(spec.shmSize);
    m_ipc->setEditText(spec.ipcMode);
    m_user->setText(spec.user);
    m_workdir->setText(spec.workdir);
    if (!spec.entrypoint)
        m_entrypoint->clear();
    else if (spec.entrypoint->isEmpty())
        m_entrypoint->setText(QStringLiteral("''"));
    else
        m_entrypoint->setText(ShellWords::join(*spec.entrypoint));
    m_ulimits->setText(spec.ulimits.join(QLatin1Char(' ')));
    m_autoRemove->setChecked(spec.autoRemove);
    m_interactive->setChecked(spec.interactive);
    m_tty->setChecked(spec.tty);
    m_touched.clear();
    emit changed();
}

void LaunchForm::setImage(const QString &image)
{
    if (m_image->text() == image)
        return;
    m_image->setText(image);
    touch(QStringLiteral("image"));
    emit changed();
}

QString LaunchForm::image() const
{
    return m_image->text().trimmed();
}

void LaunchForm::setRuntimes(const QStringList &runtimes, const QString &defaultRuntime)
{
    const QString current = m_runtime->currentData().toString();
    const QSignalBlocker block(m_runtime);
    m_runtime->clear();
    m_runtime->addItem(defaultRuntime.isEmpty() ? tr("default")
                                                : tr("default (%1)").arg(defaultRuntime),
                       QString());
    for (const QString &name : runtimes)
        m_runtime->addItem(name, name);
    int index = m_runtime->findData(current);
    if (index < 0) {
        m_runtime->addItem(current, current);
        index = m_runtime->count() - 1;
    }
    m_runtime->setCurrentIndex(index);
}

QWidget *LaunchForm::fieldWidget(const QString &field) const
{
    static const QHash<QString, int> order = [] {
        QHash<QString, int> h;
        int i = 0;
        for (const char *f : kFields)
            h.insert(QLatin1String(f), i++);
        return h;
    }();
    switch (order.value(field, -1)) {
    case 0: return m_image;
    case 1: return m_command;
    case 2: return m_env;
    case 3: return m_runtime;
    case 4: return m_driver;
    case 5: return m_name;
    case 6: return m_network;
    case 7: return m_shm;
    case 8: return m_ipc;
    case 9: return m_ports;
    case 10: return m_user;
    case 11: return m_workdir;
    case 12: return m_entrypoint;
    case 13: return m_ulimits;
    default: return nullptr;
    }
}

void LaunchForm::showIssues(const QList<ValidationIssue> &issues, bool all)
{
    if (all) {
        for (const char *field : kFields)
            m_touched.insert(QLatin1String(field));
    }
    QHash<QString, QStringList> byField;
    QStringList shown;
    for (const ValidationIssue &issue : issues) {
        if (!fieldWidget(issue.field) || !m_touched.contains(issue.field))
            continue;
        byField[issue.field].append(issue.message);
        shown.append(issue.message);
    }
    for (const char *name : kFields) {
        const QString field = QLatin1String(name);
        QWidget *w = fieldWidget(field);
        const QStringList messages = byField.value(field);
        const bool bad = !messages.isEmpty();
        if (w->property("issue").toString() == messages.join(QLatin1Char('\n')))
            continue;
        w->setProperty("issue", messages.join(QLatin1Char('\n')));
        w->setToolTip(bad ? messages.join(QLatin1Char('\n')) : m_tips.value(field));
        w->setStyleSheet(
            bad ? QStringLiteral("%1 { border: 1.5px solid %2; border-radius: 3px; }")
                      .arg(QLatin1String(w->metaObject()->className()),
                           StatusColors::text(StatusColors::Tone::Error, w->palette()).name())
                : QString());
    }
    m_issues->setText(shown.join(QLatin1Char('\n')));
    m_issues->setVisible(!shown.isEmpty());
}

void LaunchForm::setRunning(bool running)
{
    m_stop->setEnabled(running);
}

void LaunchForm::setLaunchEnabled(bool enabled, const QString &why)
{
    m_launch->setEnabled(enabled);
    m_launch->setToolTip(enabled ? tr("Launch the container (Ctrl+Return)") : why);
}

void LaunchForm::setNotice(const QString &notice)
{
    m_notice->setText(notice);
    m_notice->setVisible(!notice.isEmpty());
}
