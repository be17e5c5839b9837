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
      9  介质拒绝了操作

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
