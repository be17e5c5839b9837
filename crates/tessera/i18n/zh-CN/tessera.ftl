# Tessera 客户端 — 简体中文

## 命令行帮助
help-after-main =
    退出码：
      0  成功
      1  内部错误
      2  用法错误
      3  无法读取输入文件
      4  输入不是有效的证书
      5  证书链或签名验证未通过
      6  介质密码或文件密码错误
      7  介质已锁定
      8  找不到介质或证书
      9  介质或服务拒绝了操作
     10  无法连接服务

    示例：
      tessera cert show 证书.pem
      tessera cert show --format json --fingerprint sm3 证书.cer
      cat 证书.pem | tessera cert show -
      tessera cert verify 证书链.pem --roots 根证书.pem
help-after-cert-show =
    FILE 可为 DER、PEM、PEM 证书包或 PKCS#7（.p7b）；“-” 表示标准输入。
    退出码：0 成功，3 无法读取文件，4 不是有效的证书。

    示例：
      tessera cert show /usr/share/ca-certificates/mozilla/ISRG_Root_X1.crt
      tessera cert show --format json --fingerprint sha256 a.pem b.cer
help-after-cert-verify =
    CHAIN 按顺序包含终端证书及其中间证书。不加 --roots 时使用系统信任的根证书。
    退出码：0 证书链有效，3 无法读取文件，4 不是有效的证书，5 证书链无效（并给出原因）。

    示例：
      tessera cert verify 证书链.pem --roots 根证书.pem

## 错误
err-read = 无法读取 { $path }：{ $reason }
err-parse = { $path }：{ $reason }
err-chain-invalid = 证书链无效：{ $reason }
err-write = 无法写出结果：{ $reason }
err-internal = 内部错误：{ $reason }
err-empty-chain = 文件中没有证书

## 证书解析错误
parse-error-empty = 输入为空
parse-error-too-large = 输入超过 { $detail } 字节的上限
parse-error-unrecognized = 不是 DER、PEM 或 PKCS#7 格式的证书
parse-error-pem = PEM 格式错误：{ $detail }
parse-error-der = 证书 { $detail } 格式错误
parse-error-pkcs7 = PKCS#7 格式错误：{ $detail }
parse-error-container = PKCS#7 内容类型 { $detail } 不含证书
parse-error-no-certificate = 未找到证书
parse-error-other = { $detail }

## 证书链验证
verify-valid = 证书链有效
chain-error-expired = 证书链中有证书已于 { $detail } 过期
chain-error-not-yet-valid = 证书链中有证书在 { $detail } 之前尚未生效
chain-error-unknown-issuer = 找不到通向受信任根证书的证书链（颁发者未知）
chain-error-bad-signature = 证书签名验证失败
chain-error-unsupported-signature-algorithm = 不支持的签名算法（{ $detail }）
chain-error-unsupported-public-key = 不支持的公钥（{ $detail }）
chain-error-path-len-exceeded = 超出 CA 证书的路径长度限制
chain-error-too-many-intermediates = 中间证书过多（{ $detail }）
chain-error-name-constraint-violation = 证书链中的名称违反 CA 的名称约束
chain-error-name-mismatch = 证书与预期名称不符（{ $detail }）
chain-error-key-usage-not-allowed = 密钥用法不允许此用途（{ $detail }）
chain-error-required-eku-not-found = 扩展密钥用法中缺少所需用途
chain-error-ca-used-as-end-entity = CA 证书被用作终端实体证书
chain-error-end-entity-used-as-ca = 终端实体证书被用作 CA 证书
chain-error-revoked = 证书链中有证书已被吊销
chain-error-bad-crl = 证书吊销列表无效（{ $detail }）
chain-error-crl-expired = 证书吊销列表已于 { $detail } 过期
chain-error-distrusted = 证书的密钥不受信任
chain-error-unsupported-critical-extension = 含有不支持的关键扩展（{ $detail }）
chain-error-malformed = 证书格式错误（{ $detail }）
chain-error-too-complex = 证书链过于复杂，无法验证
chain-error-other = { $detail }

## 证书详情
cert-heading = 证书 { $number }/{ $total }（{ $source }）
field-with-qualifier = { $label }（{ $qualifier }）
field-critical = { $label } [关键]
field-version = 版本
field-serial = 序列号
field-signature-algorithm = 签名算法
field-signature-algorithm-oid = 签名算法 OID
field-signature-algorithm-hash = 签名哈希算法
field-issuer = 颁发者
field-issuer-cn = 颁发者通用名称
field-issuer-o = 颁发者组织
field-issuer-ou = 颁发者部门
field-issuer-c = 颁发者国家
field-issuer-st = 颁发者省份
field-issuer-l = 颁发者城市
field-issuer-email = 颁发者电子邮件
field-issuer-attribute = 颁发者其他属性
field-subject = 使用者
field-subject-cn = 使用者通用名称
field-subject-o = 使用者组织
field-subject-ou = 使用者部门
field-subject-c = 使用者国家
field-subject-st = 使用者省份
field-subject-l = 使用者城市
field-subject-email = 使用者电子邮件
field-subject-attribute = 使用者其他属性
field-self-issued = 自签发
field-validity-not-before = 生效时间
field-validity-not-after = 失效时间
field-validity-status = 状态
field-validity-days-remaining = 剩余天数
field-kind-usage = 证书类型
field-kind-authority = 证书身份
field-kind-path-len = 路径长度限制
field-public-key-algorithm = 公钥算法
field-public-key-oid = 公钥算法 OID
field-public-key-bits = 公钥长度（位）
field-public-key-curve = 椭圆曲线
field-public-key-value = 公钥
field-extension-key-usage = 密钥用法
field-extension-extended-key-usage = 扩展密钥用法
field-extension-subject-alt-name = 使用者备用名称
field-extension-issuer-alt-name = 颁发者备用名称
field-extension-basic-constraints-ca = 基本约束：CA
field-extension-basic-constraints-path-len = 基本约束：路径长度
field-extension-subject-key-identifier = 使用者密钥标识符
field-extension-authority-key-identifier = 颁发机构密钥标识符
field-extension-authority-key-identifier-issuer = 颁发机构密钥标识符：颁发者
field-extension-authority-key-identifier-serial = 颁发机构密钥标识符：序列号
field-extension-crl-distribution-points = CRL 分发点
field-extension-freshest-crl = 最新 CRL
field-extension-authority-info-access-ocsp = 颁发机构信息访问：OCSP
field-extension-authority-info-access-ca-issuers = 颁发机构信息访问：CA 颁发者
field-extension-certificate-policies = 证书策略
field-extension-certificate-policies-cps = 证书策略：CPS
field-extension-other = 其他扩展
field-extension-malformed = 无法解析的扩展
field-thumbprint-sha1 = 指纹（SHA-1）
field-thumbprint-sha256 = 指纹（SHA-256）
field-thumbprint-sm3 = 指纹（SM3）
field-thumbprint-md5 = 指纹（MD5）
qualifier-dns = DNS
qualifier-email = 电子邮件
qualifier-uri = URI
qualifier-ip = IP 地址
qualifier-directory = 目录名
qualifier-other-name = 其他名称
qualifier-registered-id = 注册 ID
qualifier-edi-party = EDI 名称
value-validity-status-not-yet-valid = 尚未生效
value-validity-status-valid = 有效
value-validity-status-expiring-soon = 即将过期
value-validity-status-expired = 已过期
value-kind-usage-signing = 签名证书
value-kind-usage-encryption = 加密证书
value-kind-usage-both = 签名和加密证书
value-kind-usage-unrestricted = 未限定用途
value-kind-authority-ca = CA 证书
value-kind-authority-end-entity = 终端实体证书
value-self-issued-true = 是
value-self-issued-false = 否
value-extension-basic-constraints-ca-true = 是
value-extension-basic-constraints-ca-false = 否
list-separator = 、
value-extension-key-usage-digital-signature = 数字签名
value-extension-key-usage-non-repudiation = 不可否认
value-extension-key-usage-key-encipherment = 密钥加密
value-extension-key-usage-data-encipherment = 数据加密
value-extension-key-usage-key-agreement = 密钥协商
value-extension-key-usage-key-cert-sign = 证书签名
value-extension-key-usage-crl-sign = CRL 签名
value-extension-key-usage-encipher-only = 仅加密
value-extension-key-usage-decipher-only = 仅解密

## 介质与密码
prompt-pin = 请输入介质密码
prompt-so-pin = 请输入管理员密码（SO PIN）
prompt-new-pin = 请输入新密码
prompt-new-pin-again = 请再次输入新密码
device-none = 没有介质。用 tessera device create 创建文件型设备。
device-locked = 已锁定
device-retries = 剩余尝试次数 { $left }/{ $max }
device-mode-standard = 国际算法
device-mode-national = 国密算法
pin-changed = 介质密码已修改
signature-valid = 签名有效
signature-invalid = 签名无效
cert-deleted = 已删除证书 { $thumbprint }
err-no-pin = 未提供密码：请在终端中输入，或用 --pin-file 指定
err-pin-mismatch = 两次输入的新密码不一致
err-no-such-certificate = 没有与 { $selector } 匹配的证书
err-ambiguous-certificate = { $selector } 匹配 { $count } 张证书，请给出更长的指纹
err-pin-incorrect = 介质密码错误，还可尝试 { $retries } 次
err-so-pin-incorrect = 管理员密码错误
err-locked = 介质已锁定，请用管理员密码解锁（tessera device unlock）
err-not-logged-in = 需要先输入介质密码
err-pin-length = 密码长度须为 { $min } 到 { $max } 个字符
err-device-not-found = 找不到介质 { $label }
err-device-exists = 已有名为 { $label } 的介质
err-not-exportable = 该私钥不允许导出
err-no-matching-key = 介质上没有与证书 { $thumbprint } 对应的私钥
err-medium = 介质操作失败：{ $reason }
err-setting-unknown = 没有名为 { $key } 的设置项
err-setting-invalid = 设置项 { $key } 不接受 “{ $value }”，可选值：{ $expected }
prompt-pkcs12-password = 请输入 PKCS#12 文件密码
err-pkcs12-password = PKCS#12 文件密码错误
err-device-corrupt = 设备文件已损坏，未作任何改动：{ $reason }
err-device-newer = 设备文件格式版本 { $found } 高于本程序支持的版本 { $supported }，请升级 Tessera；文件未被改动
err-device-tampered = 设备文件的内容被篡改，无法使用
progress-generating-key = 正在生成密钥对……

## Web UI (tessera ui)
ui-app-name = Tessera
err-ui-not-loopback = 界面只能监听本机回环地址（127.0.0.1），不能监听 { $addr }
ui-back = 返回
ui-save = 保存
ui-more = 更多
ui-show = 显示
ui-yes = 是
ui-no = 否
ui-copied = 已复制
ui-copy-failed = 无法复制，请选中文字后手动复制
ui-start-title = 欢迎使用
ui-start-lead = 请选择您使用的业务。之后可在“设置 → 返回首页选择”中更改。
ui-business-certificate = 数字证书业务
ui-business-certificate-text = USB Key 与文件型设备上的证书：查看、管理、修改密码
ui-business-cloud-key = 云密钥业务
ui-business-cloud-key-text = 本机与服务端协同保管的密钥，用于医疗卫生
ui-language = 语言
ui-lang-zh-CN = 简体中文
ui-lang-en-US = English
ui-privacy-title = 隐私政策
ui-privacy-text-1 = Tessera 用于管理您的数字证书及存放证书的介质。本政策说明本应用处理哪些信息及其原因。请阅读；同意后方可进入数字证书业务。
ui-privacy-text-2 = 保存在本机的信息：您的设置、您创建的文件型设备（私钥由介质密码加密保护），以及开启日志时您在应用中的操作记录（绝不记录密码）。介质密码仅在内存中按您选择的时长保留，应用关闭即清除。
ui-privacy-text-3 = 发送的信息：未配置服务时不发送任何信息。配置服务后，应用会向服务查询是否有新版本；自助服务会发送您在其中填写的信息（姓名、手机号、身份证号）用于申请或更新证书。
ui-privacy-text-4 = 日志只有在您导出时才会离开本机；导出文件经过加密，仅技术支持人员可以读取。
ui-privacy-text-5 = 您可在“设置 → 个人信息清单”中查看本应用保存的您的信息；如需撤回同意，可返回首页选择并删除应用数据目录。
ui-privacy-accept = 同意并继续
ui-privacy-decline = 不同意
ui-agreement-title = 用户协议
ui-agreement-text-1 = Tessera 帮助您保管和使用颁发给您的数字证书。请妥善保管您的介质和介质密码；同时持有二者的人可以以您的名义签名。
ui-agreement-text-2 = 请勿泄露介质密码。密码错误次数达到上限后介质将被锁定，需要使用管理员密码（SO PIN）或联系颁发机构解锁。
ui-agreement-text-3 = 证书的使用受颁发机构证书策略的约束。从介质中删除证书后无法恢复。
ui-agreement-text-4 = 本软件按“现状”提供，采用 Apache License 2.0 许可；所用第三方组件见“设置 → 第三方软件清单”。
ui-home-title = 数字证书
ui-tools = 工具
ui-feature-qr = 扫码
ui-feature-self-service = 自助服务
ui-feature-seal = 电子印章
ui-feature-bluetooth = 蓝牙 Key
ui-feature-cloud-key = 云密钥
ui-unavailable-text = 当前版本暂不支持“{ $feature }”，将在后续版本中提供。
ui-bluetooth-text = 暂不支持蓝牙 Key
ui-media = 介质
ui-no-media = 未检测到介质。
ui-no-media-hint = 请插入 USB Key，或用“tessera device create”创建文件型设备，然后刷新。
ui-no-certs = 此介质上没有证书。
ui-change-pin = 修改密码
ui-has-key = 含私钥
ui-refresh = 刷新
ui-kind-file = 文件型设备
ui-kind-usb = USB Key
ui-kind-other = 介质
ui-medium-locked = 已锁定
ui-medium-retries = 密码还可尝试 { $left } 次（共 { $max } 次）
ui-status-valid = 有效
ui-status-expiring-soon = 即将过期
ui-status-expired = 已过期
ui-status-not-yet-valid = 尚未生效
ui-cert-expires = { $date } 到期
ui-cert-title = 证书详情
ui-delete-cert = 删除证书
ui-chain = 证书链
ui-chain-valid = 证书链有效，可追溯到受信任的根证书。
ui-chain-no-store = 无法读取本机受信任的根证书：{ $reason }
ui-thumbprint = 指纹
ui-thumbprint-alg = 指纹算法
ui-fields = 详细信息
ui-tap-to-copy = 点击任一项即可复制其内容。
ui-delete-title = 删除证书
ui-delete-confirm = 确定从介质中删除此证书吗？删除后无法恢复。
ui-pin = 介质密码
ui-pin-cached = 已记住此介质的密码，本次无需再次输入。
ui-pin-title = 修改密码
ui-pin-old = 当前密码
ui-pin-new = 新密码
ui-pin-confirm = 确认新密码
ui-pin-hint = 至少 { $min } 位；不要使用同一数字重复或 123456 这类连续数字。字母与数字混合最安全。
ui-pin-strength-fair = 强度：中。8 位以上且字母与数字混合更安全。
ui-pin-strength-strong = 强度：强。
ui-pin-weak-short = 新密码太短，请至少使用 { $min } 位。
ui-pin-weak-repeated = 新密码由同一字符重复组成，请换一个更难猜的密码。
ui-pin-weak-sequence = 新密码是简单的连续字符（如 123456），请换一个更难猜的密码。
ui-err-no-session = 请通过 Tessera 启动时显示的链接打开本页面。请关闭此标签页并打开该链接（或重新运行“tessera ui”）。
ui-err-csrf = 表单已过期或来自其他页面，未做任何更改。请返回、刷新页面后重试。
ui-err-not-found = 页面不存在。
ui-err-locked = 密码错误次数过多，介质已锁定。
ui-err-medium-gone = 该介质已断开连接。
ui-err-cert-gone = 该证书已不在介质上。
ui-err-pin-needed = 请输入介质密码。
ui-err-internal = 操作失败：{ $reason }
ui-next-retry-pin = 请核对密码后重试。
ui-next-unlock = 请用管理员密码解锁（tessera device unlock），或联系介质颁发方。
ui-next-reconnect = 请重新连接介质，然后返回列表。
ui-next-home = 返回列表
ui-next-settings = 返回设置
ui-notice-deleted = 证书已删除。
ui-notice-pin-changed = 密码已修改。
ui-notice-saved = 已保存。
ui-notice-privacy-accepted = 感谢您的同意。您可随时在“设置”中再次查看隐私政策。
ui-notice-exported = 日志已导出。
ui-notice-checked = 已检查更新。
ui-settings-title = 设置
ui-security = 安全
ui-pin-cache = 密码记住时长
ui-pin-cache-text = 密码验证成功后，应用可在内存中保留密码一段时间，期间无需再次输入。密码不会写入磁盘。
ui-pin-cache-minutes = { $minutes } 分钟
ui-pin-cache-off = 不记住
ui-general = 通用
ui-updates = 版本更新
ui-version = 当前版本
ui-update-get = 获取新版本
ui-update-check-now = 立即检查
ui-update-frequency = 自动检查
ui-update-check-daily = 每天一次
ui-update-check-weekly = 每周一次
ui-update-check-never = 从不
ui-update-never-checked = 尚未检查。
ui-update-no-server = 未配置服务，无法检查更新。
ui-update-up-to-date = 已是最新版本。
ui-update-available = 有新版本 { $version } 可用。
ui-update-available-critical = 重要安全更新 { $version } 已发布，请尽快更新。
ui-update-unreachable = 无法连接更新服务，请检查网络后稍后重试。
ui-update-bad-feed = 更新服务返回了无法识别的内容，请稍后重试。
ui-update-checked-at = 上次检查：{ $time }（UTC）
ui-logs = 日志
ui-logs-switch = 记录日志
ui-logs-on = 开启
ui-logs-off = 关闭
ui-logs-text = 日志记录您在应用中的操作（绝不记录密码），便于技术支持排查问题。导出的日志经过压缩和加密，仅技术支持人员可以读取。
ui-logs-export = 导出日志
ui-logs-saved = 已保存为
ui-logs-download = 下载文件
ui-logs-no-key = 未配置技术支持公钥，无法导出日志。请联系管理员（tessera settings set support-key …）。
ui-about-legal = 关于与协议
ui-personal-title = 个人信息清单
ui-personal-text = 本应用保存的您的信息（已脱敏显示）。自助服务会保存您在其中填写的信息；除此之外不保存您的其他个人信息。
ui-personal-name = 姓名
ui-personal-phone = 手机号
ui-personal-id-number = 身份证号
ui-personal-none = 未保存
ui-third-party-title = 第三方软件清单
ui-third-party-summary = Tessera 使用了 { $count } 个开源组件。
ui-third-party-text = 这些组件均不收集个人信息：它们在应用内运行，不会自行发送任何数据。
ui-third-party-name = 组件
ui-third-party-licence = 许可证
ui-third-party-personal = 收集个人信息
ui-about-title = 关于
ui-about-text = 数字证书安全客户端。
ui-about-email = 服务邮箱
ui-about-hotline = 服务热线
ui-return-to-start = 返回首页选择
ui-return-to-start-text = 重新选择业务；您的介质和设置保持不变。

## tessera enroll（自助服务）
prompt-cert-password = 证书密码
prompt-cert-password-again = 请再次输入证书密码
enroll-privacy-heading = 隐私政策（版本 { $version }）
enroll-terms-heading = 数字证书服务协议（版本 { $version }）
enroll-code-sent = 验证码已发送，{ $minutes } 分钟内有效。
enroll-captcha-saved = 图形验证码已保存到 { $path }；请将上面的编号和图中字符交给“tessera enroll login”。
enroll-accept-notices = 请先阅读协议（“tessera enroll notices”），再加上 --accept-notices 重新申请。
enroll-next-review = 已提交审核，审核结果将以短信通知。之后：tessera enroll login，tessera enroll install。
enroll-next-install = 已按预录入信息直接通过。下一步：tessera enroll login，然后 tessera enroll install。
enroll-logged-in = 已登录业务查询，30 分钟内有效。
enroll-logged-out = 已退出业务查询。
enroll-none = 此手机号没有申请记录。
enroll-installed = 证书 { $thumbprint } 已安装到 { $device }。
enroll-renewed = 续期成功：新证书 { $thumbprint } 有效期至 { $not_after }，旧证书已删除。
enroll-status-pending = 待审核
enroll-status-approved = 已通过，可安装
enroll-status-rejected = 未通过
enroll-status-issued = 已签发
enroll-label-project = 项目
enroll-label-subject = 主题
enroll-label-id-number = 身份证号
enroll-label-phone = 手机号
enroll-label-key-alg = 密钥类型
enroll-label-reason = 原因
enroll-label-serial = 证书序列号
enroll-err-service = 服务拒绝了请求：{ $detail }
enroll-err-unreachable = 无法连接服务 { $url }：{ $reason }
enroll-err-no-server = 未指定服务：请使用 --server URL，或执行“tessera settings set server URL”。
enroll-err-forged-qr = 此二维码不是由 { $url } 的服务签名的，可能是伪造的，请勿使用。
enroll-err-key-changed = { $url } 的服务密钥与之前的不同，请先联系服务方。
enroll-err-no-session = 尚未登录业务查询或会话已过期：请执行“tessera enroll login”。
enroll-err-password-incorrect = 证书密码错误。{ $detail }
enroll-err-password-locked = 证书密码错误次数过多，申请已锁定，请联系服务方。
enroll-err-sms-code-incorrect = 短信验证码错误。{ $detail }
enroll-err-sms-code-expired = 短信验证码已过期，请重新获取。
enroll-err-captcha-invalid = 图形验证码已过期或已使用，请重新获取。
enroll-err-captcha-incorrect = 图形验证码错误，请重新获取。
enroll-err-application-not-approved = 该申请无法安装：{ $detail }
enroll-err-renewal-not-open = 尚未到续期时间：{ $detail }
enroll-err-renewal-key-mismatch = 续期请求不是由证书本身的密钥签名的。
enroll-err-certificate-expired = 证书已过期，请重新申请。
enroll-err-rate-limited = 请求过于频繁：{ $detail }

## 云密钥（tessera cloud …）
prompt-cloud-password = 云密钥密码
prompt-cloud-new-password = 新的云密钥密码
cloud-orgs-none = 没有匹配的机构。
cloud-about-service = 服务地址：{ $url }
cloud-about-cosign = 协同签名服务地址：{ $url }
cloud-applied = 申请 { $id } 已提交，等待管理员审核。
cloud-downloaded = 证书 { $serial } 已下载，此账户已设为当前账户。
cloud-none = 本机没有云密钥账户。
cloud-switched = 当前账户：{ $user }
cloud-deleted = 已从本机删除账户 { $user } 及其密钥分量和证书。
cloud-refreshed-new = 已下载更新后的证书。
cloud-refreshed-same = 证书已是最新。
cloud-signed = 签名已写入 { $path }
cloud-password-changed = 密码已修改。
cloud-code-sent = 验证码已发送到绑定的手机。
cloud-recovered = 密码已重置。若本机保存该账户的密钥分量，请用原密码和新密码运行 `tessera cloud password --reseal`。
cloud-phone-bound = 手机已绑定。
cloud-image-uploaded = 手写签名已保存。
cloud-image-saved = 手写签名已保存到 { $path }
cloud-image-usage = 请用 --put FILE 上传或 --out FILE 保存。
cloud-app-sessions-none = 未登录任何应用。
cloud-app-sessions-ended = 已退出登录。
err-cloud-service = 云密钥服务拒绝了请求：{ $detail }（{ $code }）
err-cloud-password = 密码错误：无法打开本机保存的密钥分量。
err-cloud-no-account = 本机没有云密钥账户 { $id }，请先运行 `tessera cloud download`。
err-cloud-no-certificate = 该账户还没有证书，请运行 `tessera cloud download`。
err-cloud-share-elsewhere = 该账户的密钥是在另一台设备上生成的，本机没有其密钥分量。
err-cloud-unreachable = 无法连接云密钥服务 { $url }：{ $reason }
err-cloud-other = 云密钥：{ $reason }

## 客户端网页的自助服务（ui-ss-…）
ui-ss-server = 服务地址
ui-ss-server-save = 保存服务地址
ui-ss-apply-title = 申请证书
ui-ss-query-title = 业务查询
ui-ss-renew-where = 续期证书：在列表中打开该证书，选择“续期”。
ui-ss-err-no-server = 尚未配置服务，无法使用自助服务。
ui-ss-next-settings = 请在自助服务页面填写服务地址，然后重试。
ui-ss-apply-step1 = 请粘贴单位提供的申请二维码文本，并填写手机号，系统将发送短信验证码。
ui-ss-qr = 申请二维码（文本）
ui-ss-qr-hint = 以“TESSERA-ENROLL:”开头。
ui-ss-send-code = 发送短信验证码
ui-ss-code-sent = 短信验证码已发送到此号码，5 分钟内有效。
ui-ss-code = 短信验证码
ui-ss-name = 姓名（与身份证一致）
ui-ss-organization = 单位
ui-ss-email = 电子邮箱
ui-ss-key-sm2 = SM2（推荐）
ui-ss-key-p256 = ECDSA P-256
ui-ss-key-rsa = RSA 2048
ui-ss-consent = 我已阅读并同意上述隐私政策和数字证书服务协议。
ui-ss-no-notices = 无法从服务获取协议，请返回后重试。
ui-ss-password = 证书密码
ui-ss-password-hint = 8 至 64 位，包含字母和数字。安装证书时需再次输入。
ui-ss-password-again = 再次输入证书密码
ui-ss-submit-apply = 提交申请
ui-ss-applied-title = 申请已提交
ui-ss-applied = 您的申请已收到。
ui-ss-next-review = 正在等待审核，审核结果将以短信通知。之后请在业务查询中安装证书。
ui-ss-next-install-ready = 已直接通过审核。请在业务查询中安装证书。
ui-ss-install = 安装证书
ui-ss-logout = 退出业务查询
ui-ss-query-step1 = 请输入申请时使用的手机号，系统将发送登录验证码。
ui-ss-captcha-alt = 图形验证码
ui-ss-captcha = 图中字符
ui-ss-login = 登录
ui-ss-resend = 重新发送验证码
ui-ss-install-title = 安装证书
ui-ss-no-media = 没有可用的介质。请创建文件型设备或插入 USB Key，然后刷新此页。
ui-ss-medium = 生成密钥的介质
ui-ss-pin-hint = 所选介质的 PIN 码（已记住时无需输入）。
ui-ss-installed = 证书已安装到介质。
ui-ss-view-cert = 查看证书
ui-ss-renew-title = 证书续期
ui-ss-renew-confirm = 使用原密钥为此证书续期？新证书将替换介质上的旧证书。
ui-ss-valid-until = 有效期至
ui-ss-renew = 续期
ui-ss-renewed = 续期成功：新证书有效期至 { $date }，旧证书已删除。
ui-ss-err-password-mismatch = 两次输入的证书密码不一致。
ui-ss-err-consent = 申请前需要同意上述协议。
ui-ss-err-no-application = 当前登录的手机号下没有此申请。
ui-ss-err-no-session = 尚未登录业务查询，或会话已过期。
ui-ss-err-bad-url = 服务地址“{ $url }”不可用：必须以 https:// 开头（仅本机可用 http://）。
ui-ss-err-qr = 这不是 Tessera 申请二维码：{ $reason }
ui-ss-next-fix = 请修改填写的内容后重新提交。
ui-ss-next-consent = 请阅读协议并勾选同意，然后重新提交。
ui-ss-next-query = 请登录业务查询，在那里选择申请。
ui-ss-next-password = 请输入申请时设置的证书密码。
ui-ss-next-contact = 请先联系证书服务方。
ui-ss-next-code = 请核对短信中的验证码后重新输入。
ui-ss-next-new-code = 请重新获取短信验证码。
ui-ss-next-captcha = 已显示新的图形验证码：请重新输入图中字符和短信验证码。
ui-ss-next-wait = 请稍等一分钟后重试。
ui-ss-next-apply = 请重新申请证书。
ui-ss-next-later = 请稍后重试，或联系证书服务方。
ui-ss-next-unreachable = 请检查网络连接和设置中的服务地址，然后重试。
ui-ss-next-qr = 请粘贴单位提供的二维码的完整文本。
