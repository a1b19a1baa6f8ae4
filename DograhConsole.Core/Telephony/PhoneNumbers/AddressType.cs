namespace DograhConsole.Core.Telephony.PhoneNumbers;

public enum AddressType
{
    E164 = 1,
    SipUri = 2,
    Extension = 3,
}
